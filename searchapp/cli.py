"""The `searchapp` command line: index, sources, extract, search, serve, user, backup, topics."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import click

from .dates import parse_day, period_end
from .export import FORMATS, MAX_EXPORT, write
from .facets import REGISTRY
from .search import (
    MAX_PER_PAGE,
    SORTS,
    EngineConfig,
    IndexLocked,
    IndexOutdated,
    QueryError,
    SearchRequest,
    facet_value,
    open_engine,
)
from .search.query import match_notice

DEFAULT_INDEX = os.environ.get("SEARCHAPP_INDEX_DIR", "index")
DEFAULT_CORPUS = os.environ.get("SEARCHAPP_CORPUS", "seeds")

index_dir_option = click.option(
    "--index-dir", default=DEFAULT_INDEX, show_default=True, type=click.Path(file_okay=False),
    help="Where the index lives.")


def _engine(index_dir, create=False):
    """The configured engine (SEARCHAPP_ENGINE, default Whoosh) on the index in `index_dir`."""
    return open_engine(EngineConfig.from_env(index_dir=index_dir, create=create))


@click.group()
@click.version_option(package_name="searchapp")
def main():
    """searchapp: full-text search with faceted browsing for a news archive."""


def _progress(stream, length):
    if length == 0:  # nothing changed: no empty bar
        return iter(())
    return _bar(stream, length)


def _bar(stream, length):
    with click.progressbar(stream, length=length, label="Indexing", file=sys.stderr,
                           show_pos=True, show_eta=True) as bar:
        yield from bar


def run_index(paths, index_dir, rebuild=False, quiet=False, commit_every=None, names=None,
              confirmed=False):
    """Index `paths` (publication names for some of them in `names`); unless `confirmed`,
    stop with TooManyRemovals before removing more than REMOVAL_LIMIT of the archive."""
    from .curation import ingest_curation, load_crosswalk, rekey_articles
    from .ingest import COMMIT_EVERY_ARTICLES, REMOVAL_LIMIT, index_paths

    curation = ingest_curation()  # applied on the way in, then what is pending at the end
    report = index_paths(paths, index_dir, rebuild=rebuild, progress=None if quiet else _progress,
                         topic_model=usable_topic_model(),
                         curation=curation, vocabularies=curation and curation.vocabularies,
                         crosswalk=load_crosswalk(),
                         rekey=rekey_articles if curation is not None else None, names=names,
                         commit_every=commit_every or COMMIT_EVERY_ARTICLES,
                         removal_limit=None if confirmed else REMOVAL_LIMIT)
    for err in report.skipped:
        click.echo(f"skipped {err.source}: {err.reason}", err=True)
    click.echo(report.summary(), err=quiet)
    return report


def usable_topic_model() -> str | None:
    """The instance folder's learned topic model if this version can use it; else None (the
    rules tag every topic), saying why when a model is there but refused."""
    from .tagging.learned import ModelRefused, load_model
    from .topic_training import installed_model_path

    path = installed_model_path()
    if path is None:
        return None
    try:
        load_model(path)
    except ModelRefused as exc:
        click.echo(f"Topics come from the rules only: {exc}.", err=True)
        return None
    return str(path)


def index_targets(conn, paths, source=None, rebuild=False) -> tuple[list[str], dict[str, str]]:
    """Register `paths` (with the publication name `source`); -> the paths this run reads
    and the publication names given for registered paths. No paths, or a rebuild, read
    every registered path; with none registered, the seeds folder (registered then)."""
    from .sources import given_names, outermost, register, registered

    for path in paths:
        if Path(path).exists():  # a missing path is reported by the indexer, not recorded
            register(conn, path, source)
    known = registered(conn)
    if paths and not rebuild:
        return list(paths), given_names(known)
    if not known and Path(DEFAULT_CORPUS).exists():
        known = [register(conn, DEFAULT_CORPUS)]
    missing = [p for p in paths if not Path(p).exists()]  # reported as such by the indexer
    return outermost([s.path for s in known]) + missing or [DEFAULT_CORPUS], given_names(known)


def _too_many(exc) -> click.ClickException:
    return click.ClickException(
        f"{exc}: more than a tenth of it. Nothing was changed. Check the registered sources "
        "(`searchapp sources`): `searchapp index PATH...` (with --rebuild for a rebuild) "
        "registers the folders the archive comes from. Or run again with --yes to remove them.")


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path())
@index_dir_option
@click.option("--source", metavar="NAME",
              help="The publication of the articles under PATHS (for text and JSON Lines "
                   "files), remembered with the paths.")
@click.option("--rebuild", is_flag=True,
              help="Build a fresh index from every registered source beside the old one and "
                   "swap it in when complete.")
@click.option("--commit-every", type=click.IntRange(1), metavar="N",
              help="Commit after every N articles (default 5000): less to redo after a crash.")
@click.option("--yes", is_flag=True,
              help="Go ahead even when the run removes more than a tenth of the archive.")
def index_cmd(paths, index_dir, source, rebuild, commit_every, yes):
    """Index articles under PATHS and register them as sources.

    Without PATHS, every registered source is read again (on a fresh install: the seeds
    folder). Re-running indexes only files that changed and removes articles whose files are
    gone. A run that would remove more than a tenth of the archive stops unless --yes.
    """
    from .ingest import TooManyRemovals

    if source is not None and not source.strip():
        raise click.UsageError("--source needs a name.")
    if source and not paths:
        raise click.UsageError("--source names the publication of the PATHS given with it.")
    targets, names = index_targets(_db(), paths, source and source.strip(), rebuild)
    try:
        run_index(targets, index_dir, rebuild=rebuild, commit_every=commit_every, names=names,
                  confirmed=yes)
    except (IndexLocked, IndexOutdated) as exc:
        raise click.ClickException(str(exc)) from None
    except TooManyRemovals as exc:
        raise _too_many(exc) from None


@main.group("sources", invoke_without_command=True)
@index_dir_option
@click.pass_context
def sources_group(ctx, index_dir):
    """List the registered sources: path, publication name and articles in the index."""
    if ctx.invoked_subcommand is not None:
        return
    from .sources import articles_under, registered, unregistered_articles

    known = registered(_db())
    per_file = _articles_per_file(index_dir)
    for s in known:
        click.echo(f"{s.path}\t{s.name or '(from the files)'}\t{articles_under(per_file, s.path)}")
    if not known:
        click.echo("No registered sources: `searchapp index PATH` adds one.")
    others = unregistered_articles(per_file, known)
    if others:
        click.echo(f"{others} articles come from paths not registered: `searchapp index PATH` "
                   "registers the folder they were indexed from.")


def _articles_per_file(index_dir) -> dict[str, int]:
    try:
        return _engine(index_dir).articles_per_file()
    except FileNotFoundError:  # no index yet
        return {}


@sources_group.command("remove")
@click.argument("path", type=click.Path())
@index_dir_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def sources_remove(path, index_dir, yes):
    """Forget the source PATH and remove its articles from the index."""
    from .ingest import remove_source
    from .sources import articles_under, find, unregister

    conn = _db()
    found = find(conn, path)
    if found is None:
        raise click.ClickException(f"{path} is not a registered source (see `searchapp sources`)")
    count = articles_under(_articles_per_file(index_dir), found.path)
    if not yes:
        click.confirm(f"Remove the source {found.path} and its {count} articles from the index?",
                      abort=True)
    removed = 0
    if Path(index_dir).exists():
        try:
            _files, removed = remove_source(found.path, index_dir)
        except (IndexLocked, IndexOutdated) as exc:
            raise click.ClickException(str(exc)) from None
    unregister(conn, found.path)
    click.echo(f"removed the source {found.path} and its {removed} articles")


@main.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article (JSON Lines).")
def extract_cmd(paths, as_json):
    """Print the cleaned, tagged articles of PATHS; nothing is indexed.

    Exit status: 0 when every input was read, 1 when some were skipped.
    """
    from .curation import load_crosswalk
    from .ingest import IngestReport, discover, parse_all
    from .readers import ReadError

    report = IngestReport()
    files = discover(paths, report)
    crosswalk = load_crosswalk()  # sources' own codes shown as the index shows them
    stream = parse_all(files, workers=min(2, os.cpu_count() or 1), topic_model=usable_topic_model())
    for _path, articles, errors, failure in stream:
        report.skipped.extend(errors)
        if failure:
            report.skipped.append(ReadError(_path, failure))
        for article in map(crosswalk.apply, articles):
            if as_json:
                click.echo(json.dumps(article.to_dict(), ensure_ascii=False))
            else:
                tags = ", ".join(f"{t.facet}:{t.value}" for t in article.tags)
                click.echo(f"{article.source}\t{article.title}\t{tags}")
    for err in report.skipped:
        click.echo(f"skipped {err.source}: {err.reason}", err=True)
    sys.exit(1 if report.skipped else 0)


@main.group("vocab")
def vocab_group():
    """The vocabularies in effect (the shipped ones with the librarians' edits)."""


@vocab_group.command("crosswalk")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
def vocab_crosswalk(as_json):
    """Print the crosswalk from sources' own codes (Reuters' topics and people) to the
    product's values: source, facet, code and value (a topic's concept id, a person's name)."""
    from .curation import load_crosswalk

    for mapping in load_crosswalk().mappings():
        if as_json:
            click.echo(json.dumps(mapping.to_dict(), ensure_ascii=False))
        else:
            click.echo("\t".join((mapping.source, mapping.facet, mapping.code, mapping.value)))


def _day_option(value, end=False):
    if value is None:
        return None
    try:
        return period_end(value) if end else parse_day(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)") from None


def facet_options(command):
    """One filter option per registered facet (`searchapp.facets`: its `cli_flag`)."""
    for f in reversed(REGISTRY):
        command = click.option(f.cli_flag, f.cli_dest, multiple=True, help=f.filter_help)(command)
    return command


def facet_filters(given: dict) -> dict[str, tuple[str, ...]]:
    """facet -> the values given with its option, as the index holds them."""
    return {f.name: tuple(facet_value(f.name, v) for v in given[f.cli_dest])
            for f in REGISTRY if given.get(f.cli_dest)}


@main.command("search")
@click.argument("query", default="")
@facet_options
@click.option("--from", "date_from", help="Start date: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--to", "date_to", help="End date: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--limit", type=click.IntRange(1, MAX_EXPORT),
              help=f"Hits to show (default 10, at most {MAX_PER_PAGE}); with --format, "
                   f"articles to export (default and most: {MAX_EXPORT:,}).")
@index_dir_option
@click.option("--all-words", is_flag=True,
              help="Only articles with every word of the query, even when few have them all.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--format", "export_format", type=click.Choice(sorted(FORMATS)),
              help="Export the whole result set (every page, in the --sort order) to stdout "
                   "as CSV, JSON Lines or RIS (Zotero, EndNote).")
def search_cmd(query, date_from, date_to, sort, limit, index_dir, all_words, as_json,
               export_format, **facets):
    """Search the index: ranked hits with highlighted snippets and facet counts."""
    if limit and limit > MAX_PER_PAGE and not export_format:
        raise click.UsageError(f"--limit is at most {MAX_PER_PAGE} without --format")
    request = SearchRequest(
        query=query, filters=facet_filters(facets), sort=sort,
        per_page=min(limit or 10, MAX_PER_PAGE), all_words=all_words,
        date_from=_day_option(date_from), date_to=_day_option(date_to, end=True))
    if export_format:
        _export(_engine(index_dir), request, export_format, limit)
        return
    try:
        result = _engine(index_dir).search(request)
    except (FileNotFoundError, IndexOutdated) as exc:
        raise click.ClickException(str(exc)) from None
    except QueryError as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result_json(result), ensure_ascii=False, indent=2))
        return
    click.echo(f"{result.total} results")
    notice = match_notice(result.match)  # None unless the match was relaxed
    if notice:
        template, params = notice
        click.echo(f"{template % params} (--all-words: only articles with every word)")
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")
    for n, hit in enumerate(result.hits, start=1):
        click.echo(f"\n{n}. {hit.title}  [{hit.published or 'undated'}]  {hit.publication or ''}")
        click.echo("   " + _terminal_snippet(hit.snippet))
    for facet, counts in result.facets.items():
        if counts:
            click.echo(f"\n{facet}: " + ", ".join(f"{c.value} ({c.count})" for c in counts))


def _export(engine, request: SearchRequest, fmt: str, limit: int | None) -> None:
    """Write the result set to stdout in `fmt`; more than MAX_EXPORT results need --limit."""
    try:
        articles = engine.export(request, limit or MAX_EXPORT)
        if articles.total > MAX_EXPORT and not limit:
            raise click.UsageError(
                f"the search finds {articles.total:,} articles; an export holds at most "
                f"{MAX_EXPORT:,}: narrow it (--from/--to, a filter) or export the first ones "
                f"with --limit {MAX_EXPORT}")
    except (FileNotFoundError, IndexOutdated) as exc:
        raise click.ClickException(str(exc)) from None
    except QueryError as exc:
        raise click.UsageError(str(exc)) from None
    for chunk in write(fmt, articles):
        click.echo(chunk, nl=False)


def result_json(result) -> dict:
    from .curation import stored_topic_labels
    from .tagging.labels import label as value_label

    topics = stored_topic_labels()  # a topic the librarians added is called what they called it

    def label(facet, value):
        return value_label(facet, value, topics=topics)

    return {
        "total": result.total,
        "suggestion": result.suggestion,
        "match": result.match.to_json() if result.match else None,
        "hits": [{"id": h.id, "source": h.publication, "title": h.title, "url": h.url,
                  "published": h.published, "snippet": h.snippet, "tags": h.tags}
                 for h in result.hits],
        "facets": {facet: [{"value": c.value, "label": label(facet, c.value), "count": c.count}
                           for c in counts] for facet, counts in result.facets.items()},
        "dates": [{"value": c.value, "count": c.count} for c in result.dates],
    }


def _terminal_snippet(snippet: str) -> str:
    import html

    text = re.sub(r"<mark>(.*?)</mark>", lambda m: click.style(m.group(1), bold=True), snippet)
    return html.unescape(text)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@index_dir_option
@click.option("--debug", is_flag=True, help="Flask debug mode (development only).")
def serve_cmd(host, port, index_dir, debug):
    """Serve the search UI (development server; use gunicorn in production).

    An empty index is filled first, from the registered sources or on a fresh install the
    seeds folder, so a fresh clone shows a working search.
    """
    from .web import create_app

    if debug and os.environ.get("SEARCHAPP_ENV") == "production":
        raise click.UsageError("--debug is refused when SEARCHAPP_ENV is production: the "
                               "debugger would run code for anyone.")
    if _engine(index_dir, create=True).doc_count() == 0:
        targets, names = index_targets(_db(), ())
        if any(Path(t).exists() for t in targets):
            click.echo(f"The index is empty: indexing {', '.join(targets)} first.")
            run_index(targets, index_dir, quiet=True, names=names)
    app = create_app({"INDEX_DIR": str(Path(index_dir).resolve())})
    app.run(host=host, port=port, debug=debug)


@main.command("solr-dev")
@click.option("--nodes", default=2, show_default=True, type=click.IntRange(1, 9),
              help="Solr nodes in the cluster.")
@click.option("--dir", "base_dir", type=click.Path(file_okay=False),
              help="Where its data goes (wiped at the next start); a temporary folder by default.")
def solr_dev_cmd(nodes, base_dir):
    """Run a SolrCloud on this machine for development (from a checkout, with Java and Maven):
    ZooKeeper and NODES Solr nodes on 127.0.0.1, until Ctrl-C."""
    import signal
    import time

    from .search.solr.cluster import DevCluster, SolrUnavailable

    # A TERM ends the command as Ctrl-C does: through `finally`, which stops the nodes and
    # removes a temporary folder.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    click.echo("Starting the Solr dev cluster (the first run builds it with Maven)...")
    try:
        cluster = DevCluster(nodes=nodes, base_dir=base_dir).start()
    except SolrUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    try:
        click.echo(_solr_dev_notice(cluster))
        while cluster.running:
            time.sleep(1)
        raise click.ClickException("the Solr dev cluster stopped (see cluster.log in its folder)")
    except KeyboardInterrupt:
        click.echo("Stopping the Solr dev cluster.")
    finally:
        cluster.close()


def _solr_dev_notice(cluster) -> str:
    nodes = "\n".join(f"  node {n}: {url}" for n, url in enumerate(cluster.nodes))
    return (f"SolrCloud is up: ZooKeeper at {cluster.zk}, data in {cluster.base_dir}\n{nodes}\n"
            "Serve the archive on it, from another shell:\n"
            "  export SEARCHAPP_ENGINE=solr\n"
            f"  export SEARCHAPP_ENGINE_URL={','.join(cluster.nodes)}\n"
            "  export SEARCHAPP_ENGINE_COLLECTION=searchapp\n"
            "  searchapp index && searchapp serve\n"
            "Ctrl-C stops the cluster; its collections go with it.")
# -- topics ------------------------------------------------------------------------------


@main.group("topics")
def topics_group():
    """The topic model learned from the archive's curated topics."""


@topics_group.command("learn")
@index_dir_option
def topics_learn(index_dir):
    """(Re)train the topic model on the topics librarians and sources gave.

    Prints each learned topic's cross-validated precision and recall and writes the model to
    the instance folder, where `searchapp index` and `searchapp extract` use it (topics with
    too few curated articles stay with the rules). Articles already indexed keep their topics
    until `searchapp index --rebuild`. The topics the model was unsure of are listed for
    librarians to accept or reject (Curation > Topic suggestions).
    """
    from .topic_training import count_suggestions, learn, model_path

    conn = _db()
    try:
        model = learn(_engine(index_dir), conn, progress=lambda m: click.echo(m, err=True))
    except (FileNotFoundError, IndexOutdated, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    _print_evaluation(model.evaluation)
    click.echo(f"wrote {model_path()}; {count_suggestions(conn)} unsure topics wait for a "
               "librarian. Run `searchapp index --rebuild` to tag the indexed articles with it.")


def _print_evaluation(ev) -> None:
    click.echo(f"{ev.articles} articles; {ev.classifier} chosen by {_folds()}-fold "
               "cross-validation (micro-F1: "
               + ", ".join(f"{name} {f1:.3f}" for name, f1 in ev.compared.items())
               + f"); threshold {ev.threshold:.2f}")
    click.echo(f"{'topic':<32}{'articles':>9}{'precision':>10}{'recall':>8}")
    for c in sorted(ev.concepts, key=lambda c: -c.examples):
        click.echo(f"{c.concept:<32}{c.examples:>9}{c.precision:>10.3f}{c.recall:>8.3f}")
    click.echo(f"{'all (micro)':<32}{'':>9}{ev.micro_precision:>10.3f}{ev.micro_recall:>8.3f}")
    if ev.too_few:
        click.echo("left to the rules (fewer than the minimum of curated articles): "
                   + ", ".join(f"{c} ({n})" for c, n in ev.too_few.items()))


def _folds() -> int:
    from .tagging.learned import FOLDS

    return FOLDS


# -- accounts ------------------------------------------------------------------------------
# They live in the instance database (SEARCHAPP_INSTANCE, default ./instance), which the web
# app and `searchapp index` share.


def _db():
    from .db import connect, db_path

    return connect(db_path())


def _existing_user(conn, name):
    from .accounts import find_user

    user = find_user(conn, name)
    if user is None:
        raise click.ClickException(f"there is no user called {name!r}")
    return user


def _new_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@main.group("user")
def user_group():
    """Manage accounts: reader (search, save searches), librarian (also curate tags and
    vocabularies), admin (also manage users). Stored in the instance database
    (SEARCHAPP_INSTANCE, default ./instance)."""


ROLE_CHOICE = click.Choice(["reader", "librarian", "admin"])


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=ROLE_CHOICE, default="reader", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def user_add(name, role, password_stdin):
    """Create an account (the password is asked twice)."""
    from .accounts import AccountError, create_user

    conn = _db()
    try:
        user = create_user(conn, name, _new_password(password_stdin), role)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"added {user.name} ({user.role})")


@user_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the users as JSON.")
def user_list(as_json):
    """List the accounts."""
    from .accounts import list_users

    users = list_users(_db())
    if as_json:
        click.echo(json.dumps([u.to_json() for u in users], ensure_ascii=False, indent=2))
        return
    for user in users:
        click.echo(f"{user.name}\t{user.role}\t{user.created}")


@user_group.command("set-role")
@click.argument("name")
@click.argument("role", type=ROLE_CHOICE)
def user_set_role(name, role):
    """Give an account another role (it applies at the user's next request)."""
    from .accounts import AccountError, set_role

    conn = _db()
    try:
        user = set_role(conn, _existing_user(conn, name), role)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{user.name} is now {user.role}")


@user_group.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def user_passwd(name, password_stdin):
    """Set a new password; the user's open sessions end."""
    from .accounts import AccountError, set_password

    conn = _db()
    user = _existing_user(conn, name)
    try:
        set_password(conn, user, _new_password(password_stdin))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"new password set for {user.name}")


@user_group.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def user_remove(name, yes):
    """Remove an account and its saved searches (its curation stays, in the log too)."""
    from .accounts import AccountError, remove_user

    conn = _db()
    user = _existing_user(conn, name)
    if not yes:
        click.confirm(f"Remove {user.name} ({user.role}) and their saved searches?", abort=True)
    try:
        remove_user(conn, user)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"removed {user.name}")


# -- backup ---------------------------------------------------------------------------------


@main.command("backup")
@click.argument("dest", type=click.Path(file_okay=False))
@index_dir_option
def backup_cmd(dest, index_dir):
    """Copy the database and the index into the new folder DEST, safely while the server runs."""
    from .backup import backup
    from .db import db_path

    try:
        report = backup(db_path(), Path(index_dir), Path(dest))
    except (IndexLocked, IndexOutdated, FileExistsError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backed up {report['articles']} articles"
               + (" and the database" if report["database"] else "") + f" to {dest}")


@main.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@index_dir_option
def restore_cmd(src, index_dir):
    """Put back the database and the index from a backup folder SRC."""
    from .backup import restore
    from .db import db_path

    try:
        report = restore(Path(src), db_path(), Path(index_dir))
    except (IndexLocked, IndexOutdated, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {report['articles']} articles from {src}")


if __name__ == "__main__":
    main()
