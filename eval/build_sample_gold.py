"""Write eval/sample-gold.jsonl: hand-written questions over the sample article.

Questions, answers and evidence sentences are written by hand below; this script only finds
each evidence text in the article (it must occur exactly once) and records its offsets, so no
offset is ever typed by hand. Run from the project root:

    .venv/bin/python eval/build_sample_gold.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "samples" / "balochistan-ians-2026-02-04.txt"
OUT = ROOT / "eval" / "sample-gold.jsonl"
ARTICLE_ID = "86d868735b54c7d8"

E_280 = ('The events in Balochistan have left the Pakistan establishment embarrassed as the '
         'Balochistan Liberation Army (BLA) has claimed that it killed at least 280 Pakistani '
         'personnel during Phase II of "Operation Herof".')
E_35 = "The BLA has said that it lost 35 of its fighters."
E_18 = "This includes 18 suicide attackers from the Majeed Brigade."
E_60 = ("Indian officials say that the Pakistan establishment and the Baloch people have been "
        "waging a battle for nearly 60 years.")
E_LOSSES = ("However, this is the most intense battle and the Pakistan security establishment is "
            "set to face losses that it would have never ever imagined, an official said.")
E_POLITICAL = ("Another official said that the establishment in Pakistan should have found a "
               "political solution to the problem.")
E_EGO = "The army top brass are too egoistic to sit down and hold talks with the Baloch leaders."
E_WOMEN = ("The leadership has young people, and in recent times, even women are playing an "
           "active part in the struggle.")
E_EXPERT = ("The expert said that the very fact that many Pakistani personnel are retreating only "
            "shows the might of the BLA and the resolve of the Baloch people.")
E_CORNERED = ("An assessment by the Indian Intelligence agencies says that the Pakistan "
              "establishment is cornered from every side.")
E_THREE = ("The security forces are in a simultaneous battle with all three groups and hence is "
           "finding it hard to deploy enough manpower.")
E_IB = ("It is not in a position to reduce manpower on one front and send it to another, an "
        "Intelligence Bureau official said.")
E_KILL = ("During this latest battle, the BLA said that it had managed to kill members of the "
          "Army, Frontier Corps (FC), police, Counter Terrorism Department (CTD), and death squads "
          "backed by the army.")
E_FIVE = ("This in itself is alarming since there are five different units on the battlefield and "
          "yet they are unable to take on a single group, officials added.")
E_HEROF2 = ('The BLA has, on the other hand, maintained communication and ensured that all '
            'information relating to "Herof 2" is passed on.')
E_EXPERTS = ("Earlier, the establishment had managed to conceal its losses, but today it is "
             "failing to do so, the experts say.")
E_OPEN = ("This has been embarrassing for the Pakistan establishment as the losses are coming out "
          "in the open.")
E_ASIF = ("Even Pakistan’s Defence Minister, Khawaja Asif, admitted that the Pakistani security "
          "forces were handicapped against the Baloch rebels.")
E_SIZE = "This is due to the sheer size of the Balochistan province, he said."
E_NA = "Asif told the National Assembly that their forces were facing geographical challenges."
E_40 = ("Balochistan constitutes over 40 per cent of Pakistan geographically, and it is much more "
        "difficult than a populated city.")
E_TALKS = ("He also said that there is a need to deploy a massive amount of forces, and ruled out "
           "any talks with the BLA.")
E_ADMISSION = "Officials say that the Defence Minister’s admission says it all."
E_ARMY = ("The government may want to hold talks with the Baloch people, but within the army, "
          "there are many who will not allow it, even if it means facing losses and more "
          "embarrassment, the official added.")

ASIF = ["Khawaja Asif", "Asif"]
BLA = ["Balochistan Liberation Army", "BLA"]

# (id, question, answers, evidence texts, tags, history)
ITEMS: list[tuple[str, str, list[str], list[str], list[str], list[str]]] = [
    ("s-01", "Who claimed that at least 280 Pakistani personnel were killed?", BLA, [E_280],
     ["attribution", "clean"], []),
    ("s-02", "Who admitted that the security forces were handicapped?", ASIF, [E_ASIF],
     ["attribution", "clean"], []),
    ("s-03", "How many fighters did the BLA say it lost?", ["35"], [E_35],
     ["factual", "attribution"], []),
    ("s-04", "How many suicide attackers were among the fighters the BLA lost?", ["18"], [E_18],
     ["factual"], []),
    ("s-05", "Which brigade did the BLA's suicide attackers come from?",
     ["Majeed Brigade", "Majeed"], [E_18], ["factual"], []),
    ("s-06", "What is the name of the BLA operation during which it claims to have killed 280 "
     "Pakistani personnel?", ["Operation Herof", "Herof"], [E_280], ["factual"], []),
    ("s-07", "According to Khawaja Asif, why are the Pakistani security forces handicapped?",
     ["size of the Balochistan province", "geographical challenges"], [E_SIZE, E_NA],
     ["attribution", "what_said"], []),
    ("s-08", "To whom did Asif say that the forces were facing geographical challenges?",
     ["National Assembly"], [E_NA], ["factual", "attribution"], []),
    ("s-09", "How much of Pakistan's territory does Balochistan make up?", ["40 per cent", "40"],
     [E_40], ["factual"], []),
    ("s-10", "Who ruled out any talks with the BLA?", ASIF, [E_TALKS],
     ["attribution", "coreference"], []),
    ("s-11", "Who said that the establishment in Pakistan should have found a political solution "
     "to the problem?", ["Another official", "official"], [E_POLITICAL],
     ["attribution", "unnamed_source"], []),
    ("s-12", "According to the Intelligence Bureau official, what is the security establishment "
     "not in a position to do?", ["reduce manpower on one front", "reduce manpower"], [E_IB],
     ["attribution", "what_said"], []),
    ("s-13", "Who said that the Pakistan establishment is cornered from every side?",
     ["Indian Intelligence agencies", "Intelligence agencies"], [E_CORNERED],
     ["attribution", "clean"], []),
    ("s-14", "What did the BLA say it had managed to do during the latest battle?",
     ["kill members of the Army", "members of the Army"], [E_KILL],
     ["attribution", "what_said"], []),
    ("s-15", "How many different units are on the battlefield, according to officials?",
     ["five", "5"], [E_FIVE], ["factual", "attribution"], []),
    ("s-16", "For how long have the Pakistan establishment and the Baloch people been waging a "
     "battle, according to Indian officials?", ["60 years"], [E_60], ["factual", "attribution"],
     []),
    ("s-17", "Who said the army top brass are too egoistic to hold talks with the Baloch leaders?",
     ["Another official", "official"], [E_EGO, E_POLITICAL],
     ["attribution", "unnamed_source", "coreference"], []),
    ("s-18", "What did the expert say the retreat of Pakistani personnel shows?",
     ["might of the BLA", "resolve of the Baloch people"], [E_EXPERT],
     ["attribution", "what_said"], []),
    ("s-19", 'What did the BLA ensure about the information relating to "Herof 2"?',
     ["passed on"], [E_HEROF2], ["factual"], []),
    ("s-20", "Who are now playing an active part in the struggle, even in recent times?",
     ["women"], [E_WOMEN], ["factual"], []),
    ("s-21", 'Who said that the Pakistan security establishment "is set to face losses that it '
     'would have never ever imagined"?', ["an official", "official"], [E_LOSSES],
     ["attribution", "direct_quote", "unnamed_source"], []),
    ("s-22", 'Who said that the establishment "had managed to conceal its losses" earlier but is '
     "failing to do so today?", ["experts"], [E_EXPERTS], ["attribution", "direct_quote"], []),
    ("s-23", 'Who said that "the Defence Minister’s admission says it all"?',
     ["Officials"], [E_ADMISSION], ["attribution", "direct_quote"], []),
    ("s-24", "Who within Pakistan will not allow talks with the Baloch people, according to the "
     "official?", ["army"], [E_ARMY], ["factual", "attribution"], []),
    ("s-25", "Who is Pakistan's Defence Minister?", ASIF, [E_ASIF], ["factual"], []),
    ("s-26", "Why has the flow of information been embarrassing for the Pakistan establishment?",
     ["losses are coming out in the open", "coming out in the open"], [E_OPEN], ["factual"], []),
    ("u-01", "How many civilians were killed in the attacks?", [], [], ["unanswerable"], []),
    ("u-02", "Who is the Prime Minister of Pakistan?", [], [], ["unanswerable"], []),
    ("u-03", "What did China's foreign ministry say about Operation Herof?", [], [],
     ["unanswerable", "attribution"], []),
    ("u-04", "On what date did Phase I of Operation Herof begin?", [], [], ["unanswerable"], []),
    ("u-05", "How many weapons did the BLA capture from the Frontier Corps?", [], [],
     ["unanswerable"], []),
    ("u-06", "What did Khawaja Asif say about India?", [], [], ["unanswerable", "attribution"], []),
    ("f-01", "What else did he say?",
     ["size of the Balochistan province", "geographical challenges",
      "deploy a massive amount of forces", "ruled out any talks"], [E_SIZE, E_NA, E_40, E_TALKS],
     ["follow_up", "what_said"], ["What did Khawaja Asif admit?"]),
    ("f-02", "How many of its own fighters did it lose?", ["35"], [E_35],
     ["follow_up", "factual"], ["Who claimed that at least 280 Pakistani personnel were killed?"]),
    ("f-03", "How many of them were suicide attackers?", ["18"], [E_18],
     ["follow_up", "factual"], ["How many fighters did the BLA say it lost?"]),
    ("f-04", "According to them, why is it hard to deploy enough manpower?",
     ["simultaneous battle", "all three groups"], [E_THREE], ["follow_up", "attribution"],
     ["Who said that the Pakistan establishment is cornered from every side?"]),
    ("f-05", "What did he say it was due to?",
     ["size of the Balochistan province"], [E_SIZE], ["follow_up", "what_said"],
     ["Who is Pakistan's Defence Minister?", "What did he admit?"]),
    ("f-06", "When was he appointed Defence Minister?", [], [], ["follow_up", "unanswerable"],
     ["Who admitted that the security forces were handicapped?"]),
]


def main() -> None:
    data = ARTICLE.read_bytes()
    assert hashlib.sha256(data).hexdigest()[:16] == ARTICLE_ID
    text = data.decode("utf-8")
    lines = []
    for item_id, question, answers, evidence, tags, history in ITEMS:
        spans = []
        for ev in evidence:
            assert text.count(ev) == 1, f"{item_id}: evidence not found exactly once: {ev!r}"
            start = text.index(ev)
            assert text[start : start + len(ev)] == ev
            spans.append({"article_id": ARTICLE_ID, "text": ev, "start": start,
                          "end": start + len(ev)})
        record = {"id": item_id, "question": question, "answers": answers,
                  "answerable": bool(answers), "evidence": spans, "history": history,
                  "tags": tags}
        lines.append(json.dumps(record, ensure_ascii=False))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} items to {OUT}")


if __name__ == "__main__":
    main()
