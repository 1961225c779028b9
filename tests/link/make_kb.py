"""Writes tests/link/kb.ttl: a Wikidata-like extract of a few hundred entities to measure `kg link discover` on.

It holds the right targets for the story's actors, the decoys that make linking hard (the same name with another
type, near-duplicates, other countries' defence ministries, the three Bloombergs, people who share a surname or
a whole name with an actor) and filler (AI firms, defence contractors, news outlets, government bodies of many
countries, people, places). The correct answer for each actor is in tests/link/gold.csv, written by hand.

Identifiers are made up (kb: namespace) except Wikidata's classes (wd:Q5 human, ...) and the one owl:sameAs to
the Wikidata identifier that links.ttl verified for Anthropic. Run `python tests/link/make_kb.py` to rewrite it;
tests/test_link.py checks the file is what this script writes.
"""

from __future__ import annotations

import re
from pathlib import Path

OUT = Path(__file__).with_name("kb.ttl")

HUMAN, BUSINESS, COMPANY, ORGANIZATION = "wd:Q5", "wd:Q4830453", "wd:Q783794", "wd:Q43229"
AGENCY, GOVERNMENT, MILITARY = "wd:Q327333", "wd:Q7188", "wd:Q8473"
NEWS_AGENCY, TV_CHANNEL, NEWSPAPER = "wd:Q192283", "wd:Q2001305", "wd:Q11032"
BUILDING, CITY, COUNTRY = "wd:Q41176", "wd:Q515", "wd:Q6256"

# Classes of the extract itself, placed under Wikidata's with P279 (the matcher follows them).
CLASSES = {
    "executive-department": ("executive department", AGENCY),
    "ministry-of-defence": ("ministry of defence", AGENCY),
    "magazine": ("magazine", None),          # no superclass in the extract: a type the matcher cannot place
    "us-state": ("state of the United States", None),
    "concept": ("philosophical concept", None),
    "sports-club": ("association football club", ORGANIZATION),
}

# (id, label, alternative labels, class, extra statements) — the targets and the decoys, written by hand.
HAND = [
    # Anthropic: the target (with the verified Wikidata identifier), a near-duplicate record, look-alikes.
    ("anthropic", "Anthropic", ["Anthropic PBC"], BUSINESS, ["owl:sameAs wd:Q116758847", "wdt:P17 kb:usa"]),
    ("anthropic-record", "Anthropic, PBC", [], ORGANIZATION, ["rdfs:comment \"a duplicate record, no sameAs\""]),
    ("anthropics-ltd", "Anthropics Ltd", ["Anthropics Technology"], BUSINESS, ["wdt:P17 kb:uk"]),
    ("anthropic-principle", "anthropic principle", [], "kb:concept", []),
    # The US Department of Defense: the target, other countries' ministries, the historical War Department.
    ("us-dod", "United States Department of Defense",
     ["Department of Defense", "U.S. Department of Defense", "DoD", "Pentagon", "Department of War"],
     "kb:executive-department", ["wdt:P17 kb:usa", "wdt:P159 kb:pentagon-building"]),
    ("australia-defence", "Department of Defence", ["Defence Department"], "kb:ministry-of-defence",
     ["wdt:P17 kb:australia"]),
    ("uk-mod", "Ministry of Defence", ["MoD"], "kb:ministry-of-defence", ["wdt:P17 kb:uk"]),
    ("canada-dnd", "Department of National Defence", ["National Defence"], "kb:ministry-of-defence",
     ["wdt:P17 kb:canada"]),
    ("philippines-dnd", "Department of National Defense (Philippines)", [], "kb:ministry-of-defence",
     ["wdt:P17 kb:philippines"]),
    ("israel-mod", "Ministry of Defense (Israel)", [], "kb:ministry-of-defence", ["wdt:P17 kb:israel"]),
    ("sri-lanka-mod", "Ministry of Defence (Sri Lanka)", [], "kb:ministry-of-defence", []),
    ("us-war-department", "United States Department of War", ["War Department", "Department of War"],
     "kb:executive-department", ["wdt:P17 kb:usa", "wdt:P576 \"1947-09-18\""]),
    ("dodea", "Department of Defense Education Activity", ["DoDEA"], AGENCY, ["wdt:P749 kb:us-dod"]),
    ("pentagon-building", "The Pentagon", ["Pentagon"], BUILDING, ["wdt:P17 kb:usa"]),
    ("penfed", "Pentagon Federal Credit Union", ["PenFed"], BUSINESS, []),
    # The military.
    ("us-armed-forces", "United States Armed Forces", ["U.S. military", "US Armed Forces", "U.S. Armed Forces"],
     MILITARY, ["wdt:P17 kb:usa"]),
    ("us-army", "United States Army", ["U.S. Army"], MILITARY, ["wdt:P361 kb:us-armed-forces"]),
    ("west-point", "United States Military Academy", ["West Point"], AGENCY, []),
    ("british-armed-forces", "British Armed Forces", ["UK military"], MILITARY, ["wdt:P17 kb:uk"]),
    # CNN and look-alikes.
    ("cnn", "CNN", ["Cable News Network"], TV_CHANNEL, ["wdt:P749 kb:warner-bros-discovery"]),
    ("cnn-international", "CNN International", [], TV_CHANNEL, []),
    ("cnn-brasil", "CNN Brasil", [], TV_CHANNEL, []),
    ("cnbc", "CNBC", [], TV_CHANNEL, []),
    ("warner-bros-discovery", "Warner Bros. Discovery", [], BUSINESS, []),
    # The three Bloombergs, and more.
    ("bloomberg-news", "Bloomberg News", ["Bloomberg"], NEWS_AGENCY, ["wdt:P749 kb:bloomberg-lp"]),
    ("bloomberg-lp", "Bloomberg L.P.", ["Bloomberg"], BUSINESS, ["wdt:P112 kb:michael-bloomberg"]),
    ("michael-bloomberg", "Michael Bloomberg", ["Bloomberg", "Mike Bloomberg"], HUMAN, []),
    ("bloomberg-television", "Bloomberg Television", ["Bloomberg TV"], TV_CHANNEL, ["wdt:P749 kb:bloomberg-lp"]),
    ("bloomberg-businessweek", "Bloomberg Businessweek", [], "kb:magazine", []),
    ("bloomberg-philanthropies", "Bloomberg Philanthropies", [], ORGANIZATION, []),
    ("jason-bloomberg", "Jason Bloomberg", [], HUMAN, []),
    # Dario Amodei, his sister, a namesake, a man known by the surname alone.
    ("dario-amodei", "Dario Amodei", [], HUMAN, ["wdt:P108 kb:anthropic", "wdt:P27 kb:usa"]),
    ("daniela-amodei", "Daniela Amodei", [], HUMAN, ["wdt:P108 kb:anthropic"]),
    ("dario-amodei-footballer", "Dario Amodei", [], HUMAN, ["wdt:P54 kb:fc-lugano-example",
                                                            "rdfs:comment \"a namesake (made up)\""]),
    ("amodei-painter", "Amodei", [], HUMAN, ["rdfs:comment \"a painter known by his surname (made up)\""]),
    ("fc-lugano-example", "FC Example Lugano", [], "kb:sports-club", []),
    # Washington: the city, the state, the man, the newspaper, the government.
    ("washington-dc", "Washington, D.C.", ["Washington"], CITY, ["wdt:P17 kb:usa"]),
    ("washington-state", "Washington", ["State of Washington"], "kb:us-state", ["wdt:P17 kb:usa"]),
    ("george-washington", "George Washington", ["Washington"], HUMAN, []),
    ("washington-post", "The Washington Post", ["Washington Post"], NEWSPAPER, []),
    ("us-government", "Federal Government of the United States", ["U.S. government", "United States Government"],
     GOVERNMENT, ["wdt:P17 kb:usa"]),
    # Countries the statements above point to.
    ("usa", "United States of America", ["United States", "USA"], COUNTRY, []),
    ("uk", "United Kingdom", ["UK"], COUNTRY, []),
    ("australia", "Australia", [], COUNTRY, []),
    ("canada", "Canada", [], COUNTRY, []),
    ("philippines", "Philippines", [], COUNTRY, []),
    ("israel", "Israel", [], COUNTRY, []),
]

# Filler: real-world names of the kinds the story is about, none of them an answer.
AI_FIRMS = ["OpenAI", "Google DeepMind", "Mistral AI", "Cohere", "xAI", "Inflection AI", "Aleph Alpha", "AI21 Labs",
            "Stability AI", "Hugging Face", "Scale AI", "Character.AI", "Adept AI", "Reka AI", "Perplexity AI",
            "Safe Superintelligence", "Thinking Machines Lab", "Moonshot AI", "Zhipu AI", "DeepSeek", "Baichuan",
            "MiniMax", "Sakana AI", "Liquid AI", "Runway", "Midjourney", "Databricks", "Nvidia", "Microsoft",
            "Alphabet Inc.", "Meta Platforms", "Amazon", "Apple Inc.", "IBM", "Oracle Corporation", "Salesforce"]
CONTRACTORS = ["Lockheed Martin", "RTX Corporation", "Northrop Grumman", "General Dynamics", "Boeing",
               "BAE Systems", "L3Harris Technologies", "Leidos", "Booz Allen Hamilton", "Palantir Technologies",
               "Anduril Industries", "Huntington Ingalls Industries", "Textron", "Leonardo S.p.A.", "Thales Group",
               "Airbus", "Rheinmetall", "Saab AB", "Hanwha Aerospace", "Elbit Systems", "Rafael Advanced Defense "
               "Systems", "Israel Aerospace Industries", "Kongsberg Gruppen", "Naval Group", "Dassault Aviation",
               "MBDA", "Shield AI", "Skydio", "SAIC", "CACI International", "Parsons Corporation", "KBR",
               "ManTech", "Peraton", "Sierra Nevada Corporation", "General Atomics", "Oshkosh Corporation",
               "Honeywell Aerospace", "Curtiss-Wright", "Mercury Systems"]
OUTLETS = ["Reuters", "Associated Press", "Agence France-Presse", "The New York Times", "The Wall Street Journal",
           "Financial Times", "The Guardian", "BBC News", "Al Jazeera", "Politico", "Axios", "The Verge", "Wired",
           "TechCrunch", "The Information", "Semafor", "NPR", "Fox News", "MSNBC", "ABC News", "CBS News",
           "NBC News", "Deutsche Welle", "France 24", "Nikkei", "South China Morning Post", "The Economist",
           "Defense News", "Breaking Defense", "Military Times", "Janes", "Der Spiegel", "Le Monde",
           "El País", "The Times of India", "The Australian", "ABC Australia", "CBC News", "Sky News", "Euronews"]
GOVERNMENT_BODIES = ["Department of Homeland Security", "Department of State", "Department of Energy",
                     "Department of Commerce", "Department of Justice", "Department of the Treasury",
                     "National Security Agency", "Central Intelligence Agency", "Defense Advanced Research "
                     "Projects Agency", "Defense Information Systems Agency", "Chief Digital and Artificial "
                     "Intelligence Office", "Defense Innovation Unit", "United States Cyber Command",
                     "National Institute of Standards and Technology", "Federal Trade Commission",
                     "Office of Science and Technology Policy", "United States Congress", "United States Senate",
                     "House Armed Services Committee", "Senate Armed Services Committee", "Home Office",
                     "Ministry of Defence of Russia", "Ministry of National Defense of the People's Republic "
                     "of China", "Federal Ministry of Defence", "Ministry of the Armed Forces",
                     "Ministry of Defence of Japan", "Ministry of Defence of India", "Ministry of Defence of "
                     "Ukraine", "Ministry of National Defense of South Korea", "New Zealand Defence Force",
                     "Ministry of Defence of the Netherlands", "Swedish Ministry of Defence",
                     "Norwegian Ministry of Defence", "Danish Ministry of Defence", "Ministry of Defence of Italy",
                     "Ministry of Defence of Spain", "Polish Ministry of National Defence", "European Commission",
                     "European Defence Agency", "NATO", "United Nations", "AI Safety Institute",
                     "Government Accountability Office", "Congressional Budget Office", "Department of Veterans "
                     "Affairs", "Defense Logistics Agency", "Missile Defense Agency", "Space Force",
                     "United States Navy", "United States Air Force", "United States Marine Corps",
                     "Australian Defence Force", "Canadian Armed Forces", "Bundeswehr"]
PEOPLE = ["Sam Altman", "Demis Hassabis", "Mustafa Suleyman", "Arthur Mensch", "Aidan Gomez", "Elon Musk",
          "Jensen Huang", "Satya Nadella", "Sundar Pichai", "Mark Zuckerberg", "Ilya Sutskever", "Mira Murati",
          "Jack Clark", "Jared Kaplan", "Chris Olah", "Tom Brown", "Sam McCandlish", "Alex Karp", "Palmer Luckey",
          "Lloyd Austin", "Pete Hegseth", "Mark Esper", "Ashton Carter", "Jim Mattis", "Chuck Hagel",
          "Leon Panetta", "Robert Gates", "Donald Rumsfeld", "Kathleen Hicks", "Michael Bloom",
          "Michael Bloomfield", "Dario Fo", "Dario Argento", "Daniel Amodeo", "Mark Amodei", "Anthony Bloomberg",
          "Richard Marles", "Ben Wallace", "John Healey", "Boris Pistorius", "Sébastien Lecornu",
          "Rustem Umerov", "Gina Raimondo", "Antony Blinken", "Jake Sullivan", "Kamala Harris", "Joe Biden",
          "Donald Trump", "JD Vance", "Marco Rubio", "Chuck Schumer", "Mike Johnson", "Roger Wicker",
          "Jack Reed", "Mike Rogers", "Adam Smith", "Kara Swisher", "Casey Newton", "Jim VandeHei",
          "Ben Smith", "Ezra Klein", "Kevin Roose", "Cade Metz", "Karen Hao", "Will Knight", "Tom Simonite",
          "Margaret Mitchell", "Timnit Gebru", "Yoshua Bengio", "Geoffrey Hinton", "Yann LeCun", "Stuart Russell",
          "Max Tegmark", "Helen Toner", "Paul Christiano", "Holden Karnofsky", "Daniela Rus", "Fei-Fei Li",
          "Andrew Ng", "Eric Schmidt", "Reid Hoffman", "Peter Thiel", "Marc Andreessen", "Ben Horowitz",
          "Vinod Khosla", "Masayoshi Son", "Larry Ellison", "Safra Catz", "Arvind Krishna", "Andy Jassy",
          "Tim Cook", "Brad Smith", "Kevin Scott", "Jeff Dean", "Koray Kavukcuoglu", "Noam Shazeer",
          "Lisa Su", "Pat Gelsinger", "Christopher Wray"]
PLACES = ["Arlington County", "Washington County", "Virginia", "Maryland", "San Francisco", "Mountain View",
          "Palo Alto", "Seattle", "London", "Canberra", "Ottawa", "Manila", "Tel Aviv", "Paris", "Berlin",
          "Brussels", "Geneva", "New York City", "Anthropic Bay (fictional place)", "Defence Road",
          "Bloomberg Tower", "CNN Center", "Pentagon City", "Washington Monument", "Fort Meade",
          "Silicon Valley", "Cambridge", "Oxford", "Toronto", "Sydney"]


def _id(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"@en'


def _block(ident: str, label: str, alts: list[str], cls: str, extra: list[str]) -> str:
    lines = [f"kb:{ident} wdt:P31 {cls} ;", f"    rdfs:label {_lit(label)} ;"]
    if alts:
        lines.append("    skos:altLabel " + ", ".join(_lit(a) for a in alts) + " ;")
    lines += [f"    {e} ;" for e in extra]
    lines[-1] = lines[-1][:-2] + " ."
    return "\n".join(lines) + "\n"


def render() -> str:
    """The extract as Turtle, always the same bytes."""
    out = ["# A Wikidata-like extract for measuring `kg link discover` (written by tests/link/make_kb.py).\n"
           "# Identifiers are made up (kb:), apart from Wikidata's classes and Anthropic's verified owl:sameAs.\n\n",
           "@prefix kb:   <http://kb.example.org/entity/> .\n",
           "@prefix wd:   <http://www.wikidata.org/entity/> .\n",
           "@prefix wdt:  <http://www.wikidata.org/prop/direct/> .\n",
           "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n",
           "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n",
           "@prefix owl:  <http://www.w3.org/2002/07/owl#> .\n\n",
           "# Classes of the extract\n"]
    for ident, (label, parent) in CLASSES.items():
        out.append(f"kb:{ident} rdfs:label {_lit(label)}" + (f" ;\n    wdt:P279 {parent} .\n" if parent else " .\n"))
    out.append("\n# Targets and decoys\n")
    out += [_block(*row) for row in HAND]
    seen = {row[0] for row in HAND}
    for title, names, cls in (("AI firms", AI_FIRMS, BUSINESS), ("Defence contractors", CONTRACTORS, COMPANY),
                              ("News outlets", OUTLETS, NEWS_AGENCY),
                              ("Government bodies", GOVERNMENT_BODIES, AGENCY), ("People", PEOPLE, HUMAN),
                              ("Places", PLACES, CITY)):
        out.append(f"\n# {title}\n")
        for name in names:
            ident = _id(name)
            while ident in seen:
                ident += "-2"
            seen.add(ident)
            out.append(_block(ident, name, [], cls, []))
    return "".join(out)


def entities() -> int:
    """How many entities the extract describes (classes left out)."""
    return len(HAND) + sum(map(len, (AI_FIRMS, CONTRACTORS, OUTLETS, GOVERNMENT_BODIES, PEOPLE, PLACES)))


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}: {entities()} entities")
