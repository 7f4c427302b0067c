"""Person tagging quality of searchapp.tagging.persons on Reuters-21578.

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

Run: python bench/person_quality.py
Writes bench/out/person_quality.json.
"""

from __future__ import annotations

import json
import re
import sys
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


def corpus_dir() -> Path:
    return reuters_key.corpora_dir() / "reuters21578"


def fold(text: str) -> str:
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


def main() -> int:
    folder = corpus_dir()
    files = sorted(folder.glob("reut2-*.sgm"))
    if not files:
        print(f"Reuters-21578 corpus not found in {folder}; set SEARCHAPP_CORPORA to the corpora folder.")
        return 1
    stories = [s for s in reuters_key.load_stories(folder) if s.body and s.people]
    tagger = PersonTagger()
    result = evaluate(stories, tagger)
    result["files"] = len(files)
    print(f"stories scored:      {result['stories']} (from {len(files)} files, "
          f"{result['people_values']} PEOPLE values)")
    print(f"recall:              {result['recall']:.3f}")
    print(f"precision:           {result['precision']:.3f}  (Reuters annotates only some people)")
    print(f"names per story:     {result['names_per_story']:.2f}")
    print(f"ms per story:        {result['ms_per_story']:.2f}")
    print("most frequent misses:", ", ".join(f"{v} ({n})" for v, n in result["most_frequent_misses"]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
