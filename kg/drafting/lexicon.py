"""The trigger lexicon: words and phrases that signal an event or an agreement, by ontology class.

Written by hand from the classes of ontology/homs-kg.ttl and the coding manuals their mappings
cite (ACLED sub-event types, CAMEO codes, PLOVER types): e.g. ACLED "Shelling/artillery/missile
attack" and CAMEO 194 give shelled/shelling/mortars/rockets, CAMEO 195 air strikes and raids, ACLED
"Non-state actor overtakes territory" captured/seized/overran/took control, PLOVER RETREAT withdrew.
Each entry lists inflected forms (a blank spaCy pipeline has no lemmatiser), matched case-
insensitively as whole phrases. `MODALITY` cues mark an event as planned, predicted, alleged..."""

from __future__ import annotations

import re

EVENTS: dict[str, list[str]] = {
    "Shelling": ["shelled", "shelling", "shells", "shell", "mortar", "mortars", "rockets", "rocket fire",
                 "artillery", "bombardment", "bombardments", "bombarded", "bombard", "barrage",
                 "missiles", "tank fire"],
    "AirStrike": ["air strike", "air strikes", "airstrike", "airstrikes", "air raid", "air raids", "jets",
                  "warplanes", "helicopter gunships", "barrel bombs", "combat aircraft", "from the air"],
    "Bombing": ["bombing", "bombings", "explosion", "blast", "bomb", "explosive device", "suicide bomber"],
    "CarBombing": ["car bomb", "car-bomb", "car-bombing", "car bombing", "booby-trapped car"],
    "Shooting": ["snipers", "sniper", "sniper fire", "opened fire", "shot dead", "gunfire", "shooting at",
                 "shoot at", "fired on", "fired at"],
    "ArmedClash": ["clashes", "clashed", "clash", "fighting", "battles", "street battles", "firefight",
                   "combat", "exchange of gunfire", "fought"],
    "Offensive": ["offensive", "onslaught", "campaign", "push", "advance", "advances", "advancing", "advanced",
                  "operation", "assault"],
    "GroundAssault": ["stormed", "storm", "incursion", "invasion", "invasions", "entered", "raided",
                      "ground assault", "attacked", "attack on", "attacks on", "tried to enter"],
    "Massacre": ["massacre", "massacres", "massacred", "carnage"],
    "Assassination": ["assassinated", "assassination", "assassinations"],
    "Siege": ["besieged", "siege", "blockade", "blockaded", "encircled", "encirclement", "surrounded",
              "under siege", "cut off", "cornered"],
    "CaptureOfTerritory": ["captured", "seized", "seizing", "overran", "took control", "take control",
                           "retook", "retaking", "regain control", "took over", "fall of", "fell to",
                           "liberation of", "control of", "expelled"],
    "Withdrawal": ["withdrew", "withdrawal", "withdraw", "pulled out", "retreated", "retreat", "abandon",
                   "abandoned", "left the district"],
    "Surrender": ["surrendered", "surrender", "surrendering", "lay down arms", "laid down their arms"],
    "Evacuation": ["evacuated", "evacuation", "evacuate", "relocate", "relocated", "were bussed", "escorted"],
    "Displacement": ["fled", "flee", "fleeing", "displaced", "exodus", "driven from", "refugees",
                     "left the city"],
    "Return": ["returned", "return", "returning", "came back"],
    "CaptureOfPersons": ["captured many", "taken prisoner", "detained", "arrested", "abducted", "kidnapped",
                         "were captured", "reportedly captured"],
    "PrisonerRelease": ["released", "freed", "prisoner release", "release of"],
    "Seizure": ["seized a", "seized weapons", "looted", "confiscated"],
    "Reinforcement": ["reinforce", "reinforcements", "reinforced", "deployed", "transported", "moved troops",
                      "mobilised", "mobilized", "amassed"],
    "Defection": ["defected", "defection", "defections", "deserted", "deserters", "defectors"],
    "Infiltration": ["infiltrated", "infiltration", "penetrated", "informants", "agents"],
    "Destruction": ["destroyed", "destroying", "destruction", "devastated", "razed", "set fire", "torched",
                    "in ruins", "reduced to rubble"],
    "Protest": ["protest", "protests", "protested", "protesters", "demonstration", "demonstrations", "rally",
                "took to the streets", "funeral"],
    "Celebration": ["celebrated", "celebrate", "celebration", "cheer", "cheered", "dancing"],
    "Negotiation": ["negotiations", "negotiating", "negotiated", "talks", "peace talks", "mediation"],
    "Appeal": ["called on", "called for", "urged", "appealed", "appeal"],
    "Statement": ["announced", "statement", "declared", "vowed", "affirmed", "boasted", "assured"],
    "PoliticalAnnouncement": ["announced a", "reforms", "decree", "promised"],
    "Referendum": ["referendum"],
    "Conference": ["conference", "summit"],
    "DiplomaticAction": ["resolution", "veto", "vetoed", "sanctions", "observer mission", "monitors"],
    "AidDelivery": ["aid", "humanitarian", "food and medicine", "convoy", "supplies", "blood bags"],
    "CommunicationsBlackout": ["cut off communications", "internet", "land lines", "blackout"],
    "Uprising": ["uprising", "revolution", "revolt", "rebellion", "insurgency"],
    "ArmedConflict": ["civil war", "war", "conflict", "repression", "hostilities"],
}

AGREEMENTS: dict[str, list[str]] = {
    "Ceasefire": ["ceasefire", "cease-fire", "ceasefires"],
    "Truce": ["truce", "truces"],
    "EvacuationDeal": ["evacuation deal", "evacuation agreement"],
    "SurrenderDeal": ["surrender deal", "lay down arms", "lay down their arms"],
    "AidAccessDeal": ["aid deal", "humanitarian access"],
    "Settlement": ["settlement", "reconciliation deal", "deal", "agreement", "accord"],
}
# words in an agreement's sentence that add a type (a truce tied to an evacuation is both)
AGREEMENT_EXTRAS = {"EvacuationDeal": r"\b(evacuat\w*|relocat\w*|withdraw\w*|leave|left)\b",
                    "AidAccessDeal": r"\b(aid|food|humanitarian|supplies)\b",
                    "SurrenderDeal": r"\b(lay down|surrender\w*)\b"}
STATUS = [  # first match wins; else "agreed"
    ("broke-down", r"\b(broke down|collapsed|violated|fell apart|broken)\b"),
    ("proposed", r"\b(possible|proposed|rumou?rs|would|could|offer\w*|talks on|negotiations? (?:for|on))\b"),
    ("implemented", r"\b(in accordance with|under the|implemented|took effect|carried out|came into)\b"),
]

# the more specific class wins when two overlap in one clause (a car bombing is not also a bombing)
SPECIFIC = {"CarBombing": {"Bombing"}, "GroundAssault": {"Offensive"}, "Massacre": {"ArmedConflict"},
            "CaptureOfPersons": {"CaptureOfTerritory"}, "Seizure": {"CaptureOfTerritory"},
            "PoliticalAnnouncement": {"Statement"}, "Appeal": {"Statement"}, "AirStrike": {"Shelling"},
            "Evacuation": {"Withdrawal", "Displacement"}}

MODALITY = [  # first match wins; else "occurred"
    ("denied", r"\b(denied|deny|denies)\b"),
    ("predicted", r"\b(will|would|expected|preparing to|likely|predicted|could|going to|believes)\b"),
    ("planned", r"\b(plans? to|planned|scheduled|is to be|are to be|to be held)\b"),
    ("alleged", r"\b(reportedly|allegedly|claimed|purportedly)\b"),
    ("ongoing", r"\b(continues|continuing|ongoing|still|has been|have been|for (?:almost |nearly )?\w+ (?:weeks|months|days))\b"),
]

VIOLENT = {"Shelling", "AirStrike", "Bombing", "CarBombing", "Shooting", "ArmedClash", "Offensive",
           "GroundAssault", "Massacre", "Assassination", "Siege", "CaptureOfTerritory", "Destruction",
           "CaptureOfPersons", "Seizure", "ArmedConflict"}
SPEAKING = {"Statement", "Appeal", "PoliticalAnnouncement"}


def modality(clause: str) -> str:
    for name, pattern in MODALITY:
        if re.search(pattern, clause, re.I):
            return name
    return "occurred"


def agreement_status(sentence: str) -> str:
    for name, pattern in STATUS:
        if re.search(pattern, sentence, re.I):
            return name
    return "agreed"


def agreement_types(trigger_type: str, sentence: str) -> list[str]:
    types = [trigger_type]
    for extra, pattern in AGREEMENT_EXTRAS.items():
        if extra not in types and re.search(pattern, sentence, re.I):
            types.append(extra)
    return types
