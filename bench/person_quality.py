"""Person tagging quality of searchapp.tagging.persons on Reuters-21578 and BBC News.

The answer key is each story's <PEOPLE> list ("james-baker", "volcker",
"de-larosiere"). Only stories with a body and at least one PEOPLE value are
scored. A person counts as found when last names match:

    last name of a PEOPLE value = its last hyphen-part, folded
    last name of a tagger name  = the last hyphen-part of its last word
                                  (after "Jr", "III" ...), folded
    folded = lower case, accents stripped, letters and digits only

    recall    = PEOPLE values found / PEOPLE values            (over all stories)
    precision = tagger names whose last name is among the story's PEOPLE
                last names / tagger names

Reuters annotates only some of the people a story names, so precision is a
lower bound. The text is what searchapp's reader gives ingest; the PEOPLE
values are read raw from the SGML (bench/reuters_key.py).

Second, what a reader sees in the People facet: the tagger runs over every
Reuters and BBC story with a text, and the most frequent person values (by
stories) are checked against a hand-labelled key of the values that have been
seen there (tests/fixtures/persons/top_values.tsv: each value labelled person,
firm, work, band or place by reading the stories that name it; no corpus
annotation). Slices: the whole archive, stories with "share..." and with
"earning..." (what the searches "shares" and "earnings" match, stemmed), and
stories the topic tagger files under arts. Reported: how many of the top 30 and
top 100 values are not people, and how many are not labelled yet.

Third, person mentions in news text, against a hand-labelled sample
(tests/fixtures/persons/mentions.tsv: 60 BBC and 60 Reuters stories drawn at random
with seed 12, half of each dev and half test, every real person each story names
written down by reading it; see the README there). Per story, the tagger's person
values are compared with the labelled persons:

    a labelled person is found when a tagger value names the same person:
      the same surname (last word after "Jr", "III" ..., folded, hyphens,
      apostrophes and full stops dropped; or the same last hyphen-part), and
      compatible given names: either has none, both are the same word, or one
      is initials ("J.", "J.W.", "JK") whose first letter begins the other
    recall    = labelled persons found / labelled persons
    precision = tagger values that name a labelled person / tagger values

summed over the stories of each split, dev and test reported apart. The cues of the
tagger are written and checked on dev only; test is scored as it comes.

All measures run for the current code and for the person tagger of earlier
revisions (--before REV, repeatable, default main; their persons.py and data files
are read from git), in the same run, so the figures stand side by side.

Run: python bench/person_quality.py [--before REV ...] [--no-archive] [--misses]
Writes bench/out/person_quality.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reuters_key  # noqa: E402

from searchapp.tagging.persons import PersonTagger  # noqa: E402

OUT = REPO / "bench" / "out" / "person_quality.json"
SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
LABELS = REPO / "tests" / "fixtures" / "persons" / "top_values.tsv"
MENTIONS = REPO / "tests" / "fixtures" / "persons" / "mentions.tsv"
SAMPLE_SEED = 12
SLICES = ("archive", "shares", "earnings", "arts")
# the files an earlier revision's person tagger needs
OLD_FILES = ("searchapp/tagging/persons.py", "searchapp/data/persons.json",
             "searchapp/data/person_stopwords.json", "searchapp/data/person_given_names.json",
             "searchapp/data/person_contexts.json")


def corpus_dir() -> Path:
    return reuters_key.corpora_dir() / "reuters21578"


def fold(text: str) -> str:
    """Lower case, accents stripped, letters and digits only."""
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())


def key_last_name(value: str) -> str:
    return fold(value.split("-")[-1])


def tagged_last_name(name: str) -> str:
    words = name.split()
    while len(words) > 1 and fold(words[-1]) in SUFFIXES:
        words.pop()
    return fold(words[-1].split("-")[-1]) if words else ""


def evaluate(stories: list[reuters_key.KeyedStory], tagger: PersonTagger) -> dict:
    total = found = names = names_right = 0
    misses: Counter = Counter()
    seconds = 0.0
    for story in stories:
        start = time.perf_counter()
        tagged = tagger.tag(story.title, story.body)
        seconds += time.perf_counter() - start
        tagged_last = {tagged_last_name(n) for n in tagged}
        key_last = {key_last_name(v) for v in story.people}
        for value in story.people:
            total += 1
            if key_last_name(value) in tagged_last:
                found += 1
            else:
                misses[value] += 1
        names += len(tagged)
        names_right += sum(tagged_last_name(n) in key_last for n in tagged)
    return {
        "stories": len(stories),
        "people_values": total,
        "recall": found / total if total else 0.0,
        "precision": names_right / names if names else 0.0,
        "names_per_story": names / len(stories) if stories else 0.0,
        "ms_per_story": 1000 * seconds / len(stories) if stories else 0.0,
        "most_frequent_misses": misses.most_common(25),
    }


# -- the People facet over the archive -------------------------------------------------

def archive_texts(corpora: Path) -> list[tuple[str, str, str]]:
    """(title, body, publication folder) of every Reuters and BBC story with a text."""
    texts = [(s.title, s.body, "reuters") for s in reuters_key.load_stories(corpora / "reuters21578")
             if s.body]
    for path in sorted((corpora / "bbc").glob("*/*.txt")):
        title, body = bbc_story(path)
        texts.append((title, body, "bbc"))
    return texts


def bbc_story(path: Path) -> tuple[str, str]:
    """(title, body) of a BBC file: the first line is the headline."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # one BBC file has a bare Latin-1 pound sign
    title, _, body = text.partition("\n")
    return title.strip(), body


def sample_stories(corpora: Path) -> dict[str, tuple[str, str]]:
    """article id -> (title, body) of the stories the labelled mention sample draws from:
    every BBC story (bbc/<folder>/<file>) and every Reuters story with a body (reuters/<NEWID>)."""
    bbc = sorted((corpora / "bbc").glob("*/*.txt"))
    stories = {f"bbc/{p.parent.name}/{p.name}": bbc_story(p) for p in bbc}
    for s in reuters_key.load_stories(corpora / "reuters21578"):
        if s.body:
            stories[f"reuters/{s.newid}"] = (s.title, s.body)
    return stories


def draw_sample(ids: list[str], seed: int = SAMPLE_SEED, per_source: int = 60) -> list[tuple[str, str]]:
    """(article id, split) of the mention sample: `per_source` stories drawn at random from each
    source, half of each source's draw dev and half test, also at random."""
    rng = random.Random(seed)
    drawn = []
    for source in ("bbc", "reuters"):
        picked = rng.sample(sorted(i for i in ids if i.startswith(source + "/")), per_source)
        splits = ["dev", "test"] * (per_source // 2)
        rng.shuffle(splits)
        drawn += list(zip(picked, splits))
    return drawn


# -- person mentions in news text, against the hand-labelled sample ------------------

def load_mentions(path: Path = MENTIONS) -> list[tuple[str, str, list[str]]]:
    """(article id, split, labelled persons) of each story of the hand-labelled sample."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            article, split, persons = (line.split("\t") + [""])[:3]
            rows.append((article, split, [p for p in persons.split("|") if p]))
    return rows


def name_parts(name: str) -> tuple[str, str]:
    """(given, surname) of a name, folded: the surname is the last word after any "Jr",
    "III" ..., hyphens, apostrophes and full stops dropped; given is the first word before
    it ("" when there is none). "Martin Luther King Jnr" -> ("martin", "king")."""
    words = [w for w in name.split() if fold(w)]
    while len(words) > 1 and fold(words[-1]) in SUFFIXES | {"jnr", "snr"}:
        words.pop()
    if not words:
        return "", ""
    return (words[0] if len(words) > 1 else ""), fold(words[-1])


def _initials(word: str) -> bool:
    """"J.", "J.W.", "JK", "JPR": initials, not a given name."""
    letters = word.replace(".", "")
    return len(letters) <= 1 or ("." in word) or (letters.isupper() and len(letters) <= 3)


def same_person(a: str, b: str) -> bool:
    """Whether two names name the same person: the same folded surname (or the same last
    hyphen-part: "al-Assad", "Assad") and compatible given names: either has none, they are
    the same word, or one is initials whose first letter begins the other."""
    (given_a, last_a), (given_b, last_b) = name_parts(a), name_parts(b)
    hyphen_a, hyphen_b = fold(a.split()[-1].split("-")[-1]), fold(b.split()[-1].split("-")[-1])
    if not last_a or (last_a != last_b and hyphen_a != hyphen_b):
        return False
    if not given_a or not given_b:
        return True
    if _initials(given_a) or _initials(given_b):
        return fold(given_a)[:1] == fold(given_b)[:1]
    return fold(given_a) == fold(given_b)


def score_mentions(rows, stories: dict[str, tuple[str, str]], tagger) -> dict:
    """Recall and precision of the tagger's person values against the labelled persons,
    per split, summed over the split's stories."""
    out: dict = {}
    for article, split, labelled in rows:
        fig = out.setdefault(split, {"stories": 0, "labelled": 0, "found": 0, "values": 0, "right": 0,
                                     "missed": [], "wrong": []})
        values = tagger.tag(*stories[article])
        found = [p for p in labelled if any(same_person(p, v) for v in values)]
        right = [v for v in values if any(same_person(p, v) for p in labelled)]
        fig["stories"] += 1
        fig["labelled"] += len(labelled)
        fig["found"] += len(found)
        fig["values"] += len(values)
        fig["right"] += len(right)
        fig["missed"] += [f"{article}: {p}" for p in labelled if p not in found]
        fig["wrong"] += [f"{article}: {v}" for v in values if v not in right]
    for fig in out.values():
        fig["recall"] = fig["found"] / fig["labelled"] if fig["labelled"] else 0.0
        fig["precision"] = fig["right"] / fig["values"] if fig["values"] else 0.0
    return out


def report_mentions(label: str, figures: dict) -> None:
    print(f"{label:<8} " + "   ".join(
        f"{split} recall {f['recall']:.3f} ({f['found']}/{f['labelled']})  precision {f['precision']:.3f} "
        f"({f['right']}/{f['values']})" for split, f in sorted(figures.items())))


def slice_membership(texts: list[tuple[str, str, str]]) -> list[set[str]]:
    """The slices each story is in: what the searches "shares" and "earnings" match
    (stemmed: share, shares, shared...), and topic=arts as the topic tagger files it."""
    from searchapp.tagging.topics import TopicTagger

    topics = TopicTagger()
    out = []
    for title, body, _ in texts:
        text = f"{title}\n{body}"
        member = {"archive"}
        if re.search(r"\bshare", text, re.I):
            member.add("shares")
        if re.search(r"\bearning", text, re.I):
            member.add("earnings")
        if "arts" in topics.tag(title, body):
            member.add("arts")
        out.append(member)
    return out


def top_values(texts, members, tagger) -> dict[str, list[tuple[str, int]]]:
    counts = {name: Counter() for name in SLICES}
    for (title, body, _), member in zip(texts, members):
        people = set(tagger.tag(title, body))
        for name in member:
            counts[name].update(people)
    return {name: counts[name].most_common(100) for name in SLICES}


def load_labels(path: Path = LABELS) -> dict[str, str]:
    """value -> person | firm | work | band | place, from the hand-labelled key."""
    labels = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            value, label = line.rsplit("\t", 1)
            labels[value] = label
    return labels


def not_people(top: list[tuple[str, int]], labels: dict[str, str], n: int) -> dict:
    values = [v for v, _ in top[:n]]
    wrong = [v for v in values if labels.get(v, "person") != "person"]
    return {"not_people": wrong, "unlabelled": [v for v in values if v not in labels]}


def old_tagger(rev: str):
    """The PersonTagger of an earlier revision, from its own files (None when git lacks them)."""
    root = Path(tempfile.mkdtemp(prefix="persons-"))
    for name in OLD_FILES:
        shown = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:{name}"], capture_output=True)
        if shown.returncode == 0:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(shown.stdout)
    module_file = root / OLD_FILES[0]
    if not module_file.exists():
        return None
    spec = importlib.util.spec_from_file_location("old_persons", module_file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_persons"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module.PersonTagger()


def report_reuters(label: str, result: dict) -> None:
    print(f"{label:<8} recall {result['recall']:.3f}  precision {result['precision']:.3f}  "
          f"names/story {result['names_per_story']:.2f}  ms/story {result['ms_per_story']:.2f}")


def report_archive(label: str, tops: dict, labels: dict[str, str]) -> dict:
    figures = {}
    for name in SLICES:
        top30, top100 = not_people(tops[name], labels, 30), not_people(tops[name], labels, 100)
        figures[name] = {"top30": top30, "top100": top100}
        print(f"{label:<8} {name:<9} not people in the top 30: {len(top30['not_people']):>2}"
              f"  in the top 100: {len(top100['not_people']):>2}  (unlabelled: {len(top100['unlabelled'])})"
              + (f"  {', '.join(top30['not_people'])}" if top30["not_people"] else ""))
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", action="append",
                    help="a revision to compare with (default: main); give it again for more")
    ap.add_argument("--no-archive", action="store_true", help="leave out the People facet over the archive")
    ap.add_argument("--misses", action="store_true", help="list the dev split's misses and wrong values")
    args = ap.parse_args()
    folder = corpus_dir()
    files = sorted(folder.glob("reut2-*.sgm"))
    if not files:
        print(f"Reuters-21578 corpus not found in {folder}; set SEARCHAPP_CORPORA to the corpora folder.")
        return 1
    stories = [s for s in reuters_key.load_stories(folder) if s.body and s.people]
    taggers = {"now": PersonTagger()}
    for rev in args.before or ["main"]:
        before = old_tagger(rev)
        if before is not None:
            taggers[rev] = before
    results = {label: evaluate(stories, tagger) for label, tagger in taggers.items()}
    result = dict(results["now"], files=len(files))
    print(f"stories scored:      {result['stories']} (from {len(files)} files, "
          f"{result['people_values']} PEOPLE values; precision is a lower bound: "
          f"Reuters annotates only some people)")
    for label, scored in results.items():
        report_reuters(label, scored)
    print("most frequent misses:", ", ".join(f"{v} ({n})" for v, n in result["most_frequent_misses"]))
    result["before"] = {label: {k: v for k, v in r.items() if k != "most_frequent_misses"}
                        for label, r in results.items() if label != "now"}
    rows = load_mentions()
    texts = sample_stories(folder.parent)
    print(f"Person mentions in {len(rows)} BBC and Reuters stories (key: {MENTIONS.relative_to(REPO)}):")
    result["mentions"] = {label: score_mentions(rows, texts, tagger) for label, tagger in taggers.items()}
    for label, figures in result["mentions"].items():
        report_mentions(label, figures)
    if args.misses:
        dev = result["mentions"]["now"]["dev"]
        print("dev misses:", "; ".join(dev["missed"]))
        print("dev values naming no labelled person:", "; ".join(dev["wrong"]))
    if not args.no_archive:
        texts = archive_texts(folder.parent)
        members = slice_membership(texts)
        labels = load_labels()
        print(f"People facet over {len(texts)} Reuters and BBC stories (key: {LABELS.relative_to(REPO)}):")
        result["archive"] = {label: report_archive(label, top_values(texts, members, tagger), labels)
                             for label, tagger in taggers.items()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
