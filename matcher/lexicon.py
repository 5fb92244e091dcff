"""Trilingual lexicon for Hoyamu: English, Sinhala script and Singlish (romanised Sinhala).

Cleans and normalises user text, splits it into tokens, maps words to canonical English keywords
and detects item category, sensitivity and language style. Standard library only.

Lexicon data: each domain is a dict ``canonical English -> (English, Singlish, Sinhala)``, every
column a comma-separated list of spellings; a spelling may be a phrase of up to three words.
Singlish and Sinhala spellings also match loosely (see ``_fold``); English ones match exactly,
plus a plural ``-s``/``-es``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

from matcher.categories import ALIASES, CATEGORIES, DISPLAY_NAMES, SENSITIVE_CATEGORIES
from matcher.romanize import romanize_words, sound_key

Variants = tuple[str, str, str]

# --- lexicon data: canonical English -> (English, Singlish, Sinhala) ------------------------------

COLOURS: dict[str, Variants] = {
    "black": ("black, blk, blck", "kalu", "කළු, බ්ලැක්"),
    "white": ("white, wht, off white", "sudu, sudhu", "සුදු, වයිට්"),
    "blue": ("blue, navy, navy blue, bluish", "nil", "නිල්, බ්ලූ"),
    "red": ("red, maroon, crimson, burgundy, scarlet, wine red", "rathu, ratu", "රතු, මෙරූන්"),
    "green": ("green", "kola", "කොළ, ග්\u200dරීන්"),
    "yellow": ("yellow", "kaha", "කහ, යෙලෝ"),
    "brown": ("brown, chocolate", "dumburu", "දුඹුරු, බ්\u200dරවුන්"),
    "grey": ("grey, gray, ash", "alu", "අළු"),
    "pink": ("pink", "rosa, jambu", "රෝස, ජම්බු, පින්ක්"),
    "purple": ("purple, violet", "dam", "දම්, පර්පල්"),
    "orange": ("orange", "thambili", "තැඹිලි, ඔරේන්ජ්"),
    "gold": ("gold, golden, rose gold", "ran, ranwan", "රන්, රන්වන්, ගෝල්ඩ්"),
    "transparent": ("transparent, see through, colourless, clear", "", "විනිවිද පෙනෙන, ට්\u200dරාන්ස්පේරන්ට්"),
    "silver": ("silver", "ridi", "රිදී, සිල්වර්"),
    "beige": ("beige, cream, khaki", "", "ක්\u200dරීම්"),
}

ATTRIBUTES: dict[str, Variants] = {
    "small": ("small, little, tiny, mini", "podi, punchi", "පොඩි, පුංචි, කුඩා"),
    "big": ("big, large, huge", "loku", "ලොකු, විශාල"),
    "new": ("new, brand new", "aluth, alut", "අලුත්, නව"),
    "old": ("old, used", "parana", "පරණ, පැරණි"),
    "broken": (
        "broken, cracked, damaged, torn",
        "kadila, kaduna, kedila, kedicha, iri gihin, iritila",
        "කැඩිලා, කැඩුණු, කැඩුණ, ඉරිතලා, පැලිලා",
    ),
}

MATERIALS: dict[str, Variants] = {
    "leather": ("leather, faux leather, pu leather, leatherette", "hama, ledar", "හම්, ලෙදර්"),
    "plastic": ("plastic, plastik", "plastik", "ප්ලාස්ටික්"),
    "metal": (
        "metal, metallic, steel, stainless steel, stainless, aluminium, aluminum, iron",
        "yakada",
        "ලෝහ, යකඩ, ස්ටීල්, ඇලුමිනියම්",
    ),
    "fabric": (
        "fabric, canvas, nylon, polyester, cotton, jute, woolen, wool, knitted",
        "",
        "කැන්වස්, නයිලෝන්, කොටන්",
    ),
    "silicone": ("silicone, silicon", "", "සිලිකන්"),
    "glass": ("glass", "widuru, viduru", "වීදුරු, ග්ලාස්"),
    "wood": ("wood, wooden", "", "ලී"),
    "paper": ("paper, cardboard", "kadadasi", "කඩදාසි"),
}

# Who issued a card or a SIM: a BOC card is not an HNB card.
ISSUERS: dict[str, Variants] = {
    "boc": ("boc, bank of ceylon, boc bank", "", "ලංකා බැංකුව, බීඕසී"),
    "peoples bank": ("peoples bank, people s bank, peoples", "mahajana bankuwa", "මහජන බැංකුව"),
    "sampath bank": ("sampath bank, sampath card, sampath atm", "", "සම්පත් බැංකුව"),
    "commercial bank": ("commercial bank, combank, com bank", "", "කොමර්ෂල් බැංකුව"),
    "hnb": ("hnb, hatton national bank, hnb bank", "", "එච්එන්බී, හැටන් නැෂනල් බැංකුව"),
    "nsb": (
        "nsb, national savings bank, nsb bank",
        "",
        "ජාතික ඉතිරිකිරීමේ බැංකුව, එන්එස්බී",
    ),
    "ndb": ("ndb, ndb bank", "", ""),
    "seylan": ("seylan, seylan bank", "", "සෙලාන් බැංකුව"),
    "dfcc": ("dfcc, dfcc bank", "", ""),
    "nations trust": ("nations trust, nations trust bank, ntb", "", ""),
    "pan asia": ("pan asia, pan asia bank", "", ""),
    "cargills bank": ("cargills bank", "", ""),
    "dialog": ("dialog", "", "ඩයලොග්"),
    "mobitel": ("mobitel, slt mobitel", "", "මොබිටෙල්"),
    "airtel": ("airtel", "", "එයාටෙල්"),
    "hutch": ("hutch", "", "හච්"),
}

PLACES: dict[str, Variants] = {
    "library": (
        "library, lib, libary, librery, liberary, main library",
        "pusthakalaya, pustakalaya, laibrari",
        "පුස්තකාලය, පුස්තකාල, ලයිබ්\u200dරරි, ලයිබ්රරි, ලයිබ්\u200dරරිය, ලයිබ්රරිය, ලයිබ්\u200dරැරි",
    ),
    "canteen": (
        "canteen, cantin, cafeteria, cafe, food court",
        "kantima, kenteen, kentin, kaentima",
        "කැන්ටිම, කැන්ටීන්, ආපනශාලාව, ආපන ශාලාව",
    ),
    "lecture hall": (
        "lecture hall, lecture theatre, lecture theater, lecture room, lec hall, lh, hall, halls, "
        "classroom, class room",
        "",
        "ශාලාව, දේශන ශාලාව, ලෙක්චර් හෝල්, හෝල්, පන්ති කාමරය",
    ),
    "auditorium": (
        "auditorium, main hall, open air theatre, theatre",
        "oditoriyam",
        "ශ්\u200dරවණාගාරය, ඕඩිටෝරියම්, ඔඩිටෝරියම්, රඟහල",
    ),
    "room": (
        "room, common room, reading room, discussion room, study room, tv room, changing room, "
        "locker room, staff room, seminar room, meeting room",
        "kamaraya, kamare, kamaraye",
        "කාමරය, කාමරේ, කොමන් රූම්, රූම්",
    ),
    "swimming pool": (
        "swimming pool, pool, pool side, poolside",
        "pihinum thataakaya, pihinum tatakaya, swimin pool",
        "පිහිනුම් තටාකය, ස්විමින් පූල්, ස්විමිං පූල්, පූල්",
    ),
    "office": (
        "office, student union, union office, student union office, welfare office, sub office, "
        "registrar office, dean office, exam office",
        "karyalaya",
        "කාර්යාලය, ඔෆිස්, ශිෂ්\u200dය සංගමය",
    ),
    "counter": (
        "counter, reception, front desk, help desk, information desk, cashier",
        "",
        "කවුන්ටරය, කවුන්ටර්, පිළිගැනීමේ කවුළුව, රිසෙප්ෂන්",
    ),
    "pavilion": ("pavilion", "paviliyan", "පැවිලියන්"),
    "corridor": ("corridor, hallway, passage, lobby, foyer, walkway", "koridoo", "කොරිඩෝව, කොරිඩෝ, ලොබිය"),
    "security": (
        "security room, security office, security post, guard room, security point, security",
        "araksaka kamaraya",
        "ආරක්ෂක කාමරය, ආරක්ෂක අංශය, සෙකියුරිටි, ආරක්ෂක නිලධාරී",
    ),
    "locker": ("locker, lockers", "", "ලොකර්, ලොකරය"),
    "junction": ("junction, roundabout, crossing", "handiya, hadiya", "හන්දිය, හංදිය"),
    "court": (
        "court, badminton court, basketball court, tennis court, netball court, volleyball court",
        "",
        "කෝට්, බැඩ්මින්ටන් කෝට්",
    ),
    "hostel": (
        "hostel, hostal, hostle, dorm, dormitory, hall of residence, residence, girls hostel, "
        "boys hostel, ladies hostel, gents hostel",
        "garls hostel, boyis hostel",
        "නේවාසිකාගාරය, නේවාසිකාගාර, හොස්ටල්, හොස්ටලය, ගර්ල්ස් හොස්ටල්, බෝයිස් හොස්ටල්, "
        "කාන්තා නේවාසිකාගාරය, පිරිමි නේවාසිකාගාරය",
    ),
    "boarding": ("boarding, boarding house, annex", "bodima", "බෝඩිම, බෝඩින්"),
    "gym": ("gym, gymnasium, fitness centre", "", "ජිම්, ව්\u200dයායාම ශාලාව, ව්\u200dයායාමාගාරය"),
    "bus stop": (
        "bus stop, bus halt, bus stand, halt",
        "",
        "බස් නැවතුම්පොළ, බස් නැවතුම් පොළ, බස් නැවතුම, බස් හෝල්ට්, හෝල්ට්",
    ),
    "bus": ("bus", "bas", "බස්, බසය, බස් රථය"),
    "car park": (
        "car park, carpark, parking, parking lot, vehicle park",
        "",
        "වාහන නැවතුම්පොළ, කාර් පාක්, කාර් පාර්ක්, පාකින්",
    ),
    "lab": (
        "lab, labs, laboratory, computer lab",
        "",
        "විද්\u200dයාගාරය, පරිගණක විද්\u200dයාගාරය, රසායනාගාරය, ලැබ්, කම්පියුටර් ලැබ්, "
        "කෙමිස්ට්\u200dරි ලැබ්, ෆිසික්ස් ලැබ්",
    ),
    "playground": (
        "playground, play ground, ground, grounds, sports ground, field",
        "pittaniya, grawunda",
        "ක්\u200dරීඩාංගනය, ක්\u200dරීඩා පිටිය, පිට්ටනිය, ග්\u200dරවුන්ඩ්",
    ),
    "washroom": (
        "washroom, wash room, toilet, toilets, restroom, bathroom",
        "",
        "වැසිකිළිය, කක්කුස්සිය, ටොයිලට්, වොෂ් රූම්",
    ),
    "faculty": ("faculty, department, dept", "", "පීඨය, ෆැකල්ටිය, ෆැකල්ටි, අංශය"),
    "gate": ("gate, main gate, entrance", "", "ගේට්ටුව, ගේට්, ප්\u200dරධාන දොරටුව"),
    "admin building": ("admin, admin building, administration", "", "පරිපාලන ගොඩනැගිල්ල"),
    "medical centre": (
        "medical centre, medical center, health centre, health center, sick room, medical unit",
        "medikal sentar, medical eka",
        "වෛද්\u200dය මධ්\u200dයස්ථානය, මෙඩිකල් සෙන්ටර්, මෙඩිකල් සෙන්ටරය",
    ),
    "stairs": ("stairs, staircase, steps", "", "පඩිපෙළ"),
    "table": (
        "table, desk, bench, chair, seat, seats",
        "mesaya, mese, putuwa, putuva",
        "මේසය, මේසේ, බංකුව, පුටුව, පුටුවේ",
    ),
    "three wheeler": (
        "three wheeler, trishaw, tuk tuk, tuktuk",
        "threewheel",
        "ත්\u200dරීවීල්, ත්\u200dරී වීල්, ත්\u200dරිරෝද රථය",
    ),
    "shop": ("shop, bookshop, book shop, photocopy shop", "kade, kadey", "කඩේ, කඩය, සාප්පුව"),
}

ITEMS: dict[str, dict[str, Variants]] = {
    "Wallet": {
        "wallet": (
            "wallet, wallets, walet, purse, card holder, cardholder, coin purse, money purse",
            "pasumbiya, pasumbi, pasubiya, salli pasumbiya",
            "පසුම්බිය, පසුම්බි, මුදල් පසුම්බිය, පර්ස්, වොලට්",
        ),
    },
    "Phone": {
        "phone": (
            "phone, phones, fone, phn, mobile, mobile phone, cellphone, cell phone, smartphone, "
            "smart phone, handphone, hand phone, telephone",
            "durakathanaya, jangama durakathanaya",
            "ෆෝන්, ෆෝනය, දුරකථනය, ජංගම දුරකථනය, මොබයිල්, මොබයිල් ෆෝන්, ස්මාර්ට් ෆෝන්",
        ),
        "phone cover": (
            "phone cover, phone case, mobile cover, mobile case, back cover, back case, "
            "flip cover, silicone cover, clear case, transparent cover",
            "",
            "ෆෝන් කවර්, ෆෝන් කවරය, බැක් කවර්, ෆ්ලිප් කවර්",
        ),
        "sim card": ("sim, sim card, sim cards", "", "සිම්, සිම් කාඩ්, සිම් කාඩ්පත"),
    },
    "Keys": {
        "key": (
            "key, keys, keychain, key chain, key ring, keyring, key tag, key bunch, bunch of keys, "
            "car key, bike key, room key, locker key, remote key, car remote, key remote, key fob",
            "yathura, yathuru, yathure, yatura, yaturu, yathuru kattuwa, yathuru keralla",
            "යතුර, යතුරු, යතුරු කට්ටුව, යතුරු කට්ටලය, යතුරු කැරැල්ල, යතුරු පොකුර, කී චේන්, කී ටැග්",
        ),
    },
    "Bag": {
        "bag": (
            "bag, bags, travel bag, shopping bag, gym bag, duffel bag, duffle bag, office bag, "
            "carry bag, lunch bag",
            "baeg, beg, malla",
            "බෑග්, බෑගය, බෑග, මල්ල, ගමන් මල්ල",
        ),
        "backpack": (
            "backpack, backpacks, back pack, bag pack, bagpack, bagpak, backpak, school bag, "
            "rucksack, rucksac, knapsack",
            "",
            "බැක්පැක්, බැක් පැක්, බෑග් පැක්, ස්කූල් බෑග්, පාසල් බෑගය",
        ),
        "laptop bag": (
            "laptop bag, laptop backpack, laptop sleeve, laptop case, laptop cover, lap bag",
            "",
            "ලැප්ටොප් බෑග්, ලැප්ටොප් බෑගය, ලැප් බෑග්",
        ),
        "handbag": (
            "handbag, hand bag, ladies bag, tote, tote bag, shoulder bag, clutch",
            "",
            "හෑන්ඩ්බෑග්, හෑන්ඩ් බෑග්, අත් බෑගය",
        ),
        "sling bag": (
            "sling bag, side bag, cross bag, crossbody bag, cross body bag, waist bag, belt bag",
            "",
            "ස්ලින්ග් බෑග්, සයිඩ් බෑග්",
        ),
        "pouch": ("pouch", "", "පවුච්"),
    },
    "ID Card": {
        "id card": (
            "id, id card, id cards, identity card, national identity card, national id, nic, "
            "nic card, n i c, student id, student card, student id card, university id, uni id, "
            "campus id, library card, lib card, faculty id",
            "hendunumpatha, handunumpatha, hedunumpatha, hadunumpatha",
            "හැඳුනුම්පත, හැඳුනුම් පත, හැඳුනුම්පත්, ජාතික හැඳුනුම්පත, ශිෂ්\u200dය හැඳුනුම්පත, "
            "අයිඩී, අයි ඩී, අයිඩී කාඩ්, එන්අයිසී, එන් අයි සී, ලයිබ්\u200dරරි කාඩ්, පුස්තකාල කාඩ්, "
            "පුස්තකාල කාඩ්පත, ස්ටූඩන්ට් අයිඩී",
        ),
        "passport": ("passport", "", "ගමන් බලපත්\u200dරය, පාස්පෝට්"),
        "driving licence": (
            "driving licence, driving license, licence, license",
            "",
            "රියදුරු බලපත්\u200dරය, බලපත්\u200dරය, ලයිසන්, ලයිසන්ස්",
        ),
        "bank card": (
            "atm, atm card, bank card, debit card, credit card, visa card, master card, mastercard",
            "",
            "ඒටීඑම්, ඒ ටී එම්, ඒටීඑම් කාඩ්, ඒටීඑම් කාඩ්පත, බැංකු කාඩ්, බැංකු කාඩ්පත, "
            "ණය කාඩ්පත, හර කාඩ්පත, ක්\u200dරෙඩිට් කාඩ්, ඩෙබිට් කාඩ්",
        ),
        "card": ("card, cards", "kaadpatha, kadpatha", "කාඩ්, කාඩ්පත, කාඩ්පත්"),
    },
    "Laptop": {
        "laptop": (
            "laptop, laptops, lap top, notebook computer",
            "lap, leptop",
            "ලැප්ටොප්, ලැප් ටොප්, ලැප්ටොප්පුව, ලැප්",
        ),
        "computer": ("computer, pc", "", "පරිගණකය, පරිගණක, කම්පියුටරය"),
    },
    "Electronics": {
        "charger": (
            "charger, chargers, charging cable, adapter, adaptor, charging adapter, power adapter, "
            "wall charger, charging brick, charger plug, type c charger, usb c charger, "
            "fast charger",
            "chaja, charjer, chaajar",
            "චාජර්, චාජරය, ආරෝපකය",
        ),
        "earphones": (
            "earphone, earphones, ear phone, ear phones, handsfree, hands free, wired earphones",
            "",
            "ඉයර්ෆෝන්, ඉයර් ෆෝන්, හෑන්ඩ්ස්ෆ්\u200dරී",
        ),
        "earbuds": (
            "earbuds, earbud, ear buds, ear bud, buds, tws, wireless earbuds, earbuds case, "
            "charging case",
            "",
            "ඉයර්බඩ්ස්, ඉයර් බඩ්ස්, බඩ්ස්",
        ),
        "headphones": (
            "headphone, headphones, head phone, head phones, headset, over ear headphones",
            "",
            "හෙඩ්ෆෝන්, හෙඩ් ෆෝන්, හෙඩ්සෙට්",
        ),
        "power bank": ("power bank, powerbank, power banks", "", "පවර් බෑන්ක්, පවර්බෑන්ක්"),
        "calculator": (
            "calculator, calc, scientific calculator",
            "",
            "කැල්කියුලේටරය, කැල්කියුලේටර්, ගණක යන්ත්\u200dරය, ගණකය",
        ),
        "pen drive": (
            "pen drive, pendrive, flash drive, usb drive, thumb drive, usb, usb stick",
            "",
            "පෙන් ඩ්\u200dරයිව්, පෙන්ඩ්\u200dරයිව්",
        ),
        "mouse": ("mouse", "", "මවුසය, මවුස්, මූසිකය"),
        "tablet": ("tablet, tab, e reader, ebook reader, e book reader", "", "ටැබ්, ටැබ්ලට්"),
        "router": ("router, dongle, wifi router, pocket router, data card", "", "රවුටරය, රවුටර්, ඩොංගල්"),
        "cable": (
            "cable, usb cable, data cable, wire, usb c cable, type c cable, c type cable, usb c, "
            "type c, lightning cable, hdmi cable, extension cord, extension",
            "",
            "කේබලය, කේබල්, වයර්, වයරය",
        ),
        "memory card": ("memory card, sd card, micro sd", "", "මෙමරි කාඩ්"),
        "hard disk": ("hard disk, hard drive, external hard disk, hdd, ssd", "", "හාඩ් ඩිස්ක්"),
        "camera": ("camera, dslr, action camera, gopro, webcam", "", "කැමරාව, කැමරා, ඩීඑස්එල්ආර්"),
        "remote": (
            "remote, presenter, presentation remote, laser pointer, clicker, remote control",
            "",
            "රිමෝට්, රිමෝට් එක, ප්\u200dරෙසන්ටර්",
        ),
        "speaker": ("speaker, bluetooth speaker", "", "ස්පීකරය, ස්පීකර්"),
        "keyboard": ("keyboard, key board", "", "කීබෝඩ්"),
    },
    "Books & Stationery": {
        "book": ("book, books, text book, textbook, novel", "potha, poth", "පොත, පොත්, පොත් පත්"),
        "notebook": (
            "notebook, note book, exercise book, cr book, writing book, sketchbook, sketch book, "
            "sketchpad, sketch pad, drawing book, diary, journal, spiral notebook",
            "",
            "සටහන් පොත, අභ්\u200dයාස පොත, කොපි පොත, නෝට් බුක්",
        ),
        "notes": (
            "notes, lecture notes, short notes, tute, tutes, handouts, printouts",
            "",
            "සටහන්, නෝට්ස්, ටියුට්, ටියුට්ස්",
        ),
        "pen": ("pen, pens, ballpoint, ball point", "paena", "පෑන, පෙන්"),
        "pencil": ("pencil, pencils", "", "පැන්සල"),
        "pencil case": (
            "pencil case, pencil box, pencil pouch, pen case, geometry box",
            "",
            "පැන්සල් පෙට්ටිය, ජියොමෙට්\u200dරි බොක්ස්",
        ),
        "ruler": ("ruler, scale", "", "කෝදුව, රූලර්"),
        "eraser": ("eraser, rubber", "makanaya", "මකනය, ඉරේසර්"),
        "stationery": (
            "stationery, stationary, highlighter, marker, stapler",
            "",
            "ලිපි ද්\u200dරව්\u200dය, ලිපිද්\u200dරව්\u200dය",
        ),
    },
    "Clothing": {
        "shirt": ("shirt, shirts", "kamisaya, kamise", "කමිසය, කමිස, ෂර්ට්"),
        "t-shirt": (
            "t shirt, tshirt, tee, tee shirt, jersey, sports jersey, polo, polo shirt",
            "",
            "ටී ෂර්ට්, ටීෂර්ට්, ජර්සි, ජර්සිය",
        ),
        "tie": ("tie, necktie, neck tie, bow tie", "", "ටයි, ටයිය"),
        "tracksuit": ("tracksuit, track suit, track pants, tracksuit top", "", "ට්\u200dරැක්සූට්"),
        "kurta": ("kurta, kurti, kurtha", "", "කුර්තා"),
        "jacket": (
            "jacket, jackets, jaket, jacet, hoodie, hoody, hoodi, blazer, windcheater, "
            "wind cheater, coat, raincoat, rain coat, overcoat",
            "kabaya",
            "ජැකට්, ජැකට්ටුව, හූඩිය, හූඩි, බ්ලේසර්, බ්ලේසරය, වින්ඩ්චීටර්, කබාය, රේන්කෝට්",
        ),
        "sweater": ("sweater, jumper, cardigan, pullover", "", "ස්වෙටර්, ස්වෙටරය"),
        "shoes": (
            "shoe, shoes, sneaker, sneakers, boot, boots, crocs, canvas shoes, sports shoes, "
            "running shoes, football boots, spikes",
            "sapaththu, sapattu, sapaththuwa",
            "සපත්තු, සපත්තුව",
        ),
        "slippers": (
            "slipper, slippers, flip flops, flipflops, sandal, sandals",
            "sereppu",
            "සෙරෙප්පු, සෙරෙප්පුව, ස්ලිපර්, ස්ලිපර්ස්",
        ),
        "cap": ("cap, caps, hat", "thoppiya, toppiya, thoppi", "තොප්පිය, තොප්පි, කැප්"),
        "handkerchief": (
            "handkerchief, hanky, hankie, kerchief",
            "lensuwa, lensu",
            "ලේන්සුව, ලේන්සු",
        ),
        "scarf": ("scarf, shawl, stole", "saluwa", "ශෝලය, සාලුව, ස්කාෆ්"),
        "trousers": (
            "trouser, trousers, pants, jeans, denim, shorts, track bottom",
            "kalisama",
            "කලිසම, ජීන්ස්, ට්\u200dරවුසරය, ට්\u200dරවුසර්",
        ),
        "dress": ("dress, frock", "gawuma", "ගවුම"),
        "skirt": ("skirt", "saya", "සාය"),
        "saree": ("saree, sari", "", "සාරිය"),
        "belt": ("belt", "inapatiya", "බෙල්ට්, ඉනපටිය"),
        "socks": ("sock, socks", "mes", "මේස්"),
        "gloves": ("glove, gloves", "", "අත්වැසුම්"),
        "uniform": ("uniform, lab coat, labcoat, apron", "", "නිල ඇඳුම, ලැබ් කෝට්"),
        "towel": ("towel, face towel, bath towel", "thuwaya, tuwaya", "තුවාය, තුවායක්"),
        "clothes": ("clothes, clothing, cloth", "redi", "ඇඳුම්, ඇඳුම, රෙදි"),
    },
    "Jewellery & Watches": {
        "ring": ("ring, rings", "mudda, mudu, muduwa", "මුද්ද, මුදු, මුදුව"),
        "chain": (
            "chain, necklace, neckless, necklase, pendant, locket, thali, thaali, pearl necklace",
            "malaya, thaliya, thaaliya",
            "මාලය, මාල, චේන්, පෙන්ඩනය, තාලිය, තාලි",
        ),
        "nose stud": ("nose stud, nose ring, nose pin", "", "නාසා ඇට"),
        "earrings": (
            "earring, earrings, ear ring, ear rings, studs",
            "karabu, karabuwa",
            "කරාබු, කරාබුව",
        ),
        "bracelet": (
            "bracelet, bracelets, bangle, bangles, wristband",
            "walalu, walalla",
            "වළලු, වළල්ල, බ්\u200dරේස්ලට්",
        ),
        "watch": (
            "watch, watches, wristwatch, wrist watch, smartwatch, smart watch, smart band, "
            "fitness band, fitness tracker, apple watch",
            "orlosuwa, orlosu, oralosuwa",
            "ඔරලෝසුව, ඔරලෝසු, අත් ඔරලෝසුව, වොච්",
        ),
        "anklet": ("anklet", "salamba", "සලඹ"),
        "jewellery": ("jewellery, jewelry, jewel", "abarana", "ආභරණ, ස්වර්ණාභරණ"),
    },
    "Umbrella": {
        "umbrella": (
            "umbrella, umbrellas, umbrela, brolly",
            "kudaya, kude, kudey",
            "කුඩය, කුඩේ, කුඩ, අම්බ්\u200dරෙල්ලා",
        ),
    },
    "Water Bottle": {
        "water bottle": (
            "water bottle, bottle, bottles, flask, tumbler, sipper, thermos, drink bottle, "
            "bottle cap",
            "wathura bottle, watura bottle, bothalaya",
            "වතුර බෝතලය, වතුර බෝතල්, බෝතලය, බෝතල, බෝතල්, ෆ්ලාස්ක්",
        ),
    },
    "Glasses": {
        "glasses": (
            "glasses, spectacles, spectacle, specs, spects, specks, speks, eyeglasses, eye glasses, "
            "reading glasses, spectacle case, glasses case, spec case",
            "kannadi, kannadiya",
            "කණ්ණාඩි, කණ්ණාඩිය, ඇස් කණ්ණාඩි, උපැස් යුවළ",
        ),
        "goggles": ("goggles, swimming goggles, swim goggles", "", "ගොගල්ස්"),
        "sunglasses": (
            "sunglasses, sunglass, sun glasses, shades, cooling glass, cooling glasses",
            "awu kannadi",
            "අව් කණ්ණාඩි, අව් කණ්ණාඩිය, සන්ග්ලාස්",
        ),
    },
    "Documents": {
        "certificate": (
            "certificate, certificates, cert, certs",
            "sahathikaya, sahathika",
            "සහතිකය, සහතික, සහතිකපත්\u200dරය",
        ),
        "birth certificate": (
            "birth certificate, birth cert",
            "uppanna sahathikaya, uppanna",
            "උප්පැන්න සහතිකය, උප්පැන්නය, උප්පැන්න",
        ),
        "passbook": (
            "passbook, pass book, bank book, bankbook, savings book",
            "",
            "පාස්බුක්, පාස් බුක්, බැංකු පොත",
        ),
        "file": ("file, files, folder, file cover", "", "ෆයිල්, ෆයිලය, ගොනුව"),
        "documents": (
            "document, documents, docs, papers, photocopy, photocopies, copies",
            "",
            "ලේඛන, ලියකියවිලි, ලිපි ලේඛන, ලියවිලි",
        ),
        "letter": ("letter, envelope", "liyuma", "ලියුම, ලිපිය, ලියුම් කවරය"),
        "transcript": (
            "transcript, result sheet, results sheet, academic transcript",
            "",
            "ට්\u200dරාන්ස්ක්\u200dරිප්ට්, ප්\u200dරතිඵල පත්\u200dරය",
        ),
        "admission card": (
            "admission, admission card, exam admission, exam admission card, exam card, "
            "entry card, hall ticket",
            "",
            "ඇඩ්මිෂන්, ඇඩ්මිෂන් කාඩ්, විභාග ප්\u200dරවේශ පත්\u200dරය, ප්\u200dරවේශ පත්\u200dරය",
        ),
        "form": (
            "form, forms, application, application form, bursary form, registration form",
            "",
            "අයදුම්පත, අයදුම් පත්\u200dරය, ෆෝම් එක, පෝරමය",
        ),
        "receipt": (
            "receipt, receipts, slip, payment slip, bank slip, deposit slip, voucher, bill",
            "",
            "රිසිට්පත, රිසිට්, ස්ලිප්, බිල්පත",
        ),
        "medical report": (
            "medical report, medical reports, medical certificate, prescription",
            "",
            "වෛද්\u200dය වාර්තාව, මෙඩිකල් රිපෝට්, බෙහෙත් තුණ්ඩුව",
        ),
        "cheque": ("cheque, cheques, chequebook, cheque book", "", "චෙක්පත, චෙක්පත්"),
    },
    "Other": {
        "money": (
            "money, cash, rupees, rupee, rs, lkr, notes of money, dollars, currency",
            "salli, mudal, rupiyal, rupiyel",
            "සල්ලි, මුදල්, මුදල, රුපියල්, රුපියල, ඩොලර්",
        ),
        "helmet": ("helmet", "", "හෙල්මට්, හිස්වැස්ම"),
        "lunch box": (
            "lunch box, lunchbox, food box, tiffin box, tiffin carrier, food container, "
            "lunch container",
            "bath pettiya, kema pettiya",
            "බත් පෙට්ටිය, කෑම පෙට්ටිය",
        ),
        "bike": ("bike, bicycle, cycle, motorbike, scooter", "", "බයිසිකලය, පාපැදිය, බයික්"),
        "box": ("box, parcel, package", "pettiya", "පෙට්ටිය, පාර්සලය"),
        "cover": ("cover, case, casing", "kawaraya, kawara", "කවර්, කවරය, කේස්"),
        "racket": ("racket, racquet, badminton racket, tennis racket", "", "රැකට්, රැකට්ටුව"),
        "bat": ("bat, cricket bat", "", "බැට්, ක්\u200dරිකට් පිත්ත, පිත්ත"),
        "hockey stick": ("hockey stick, hockey", "", "හොකී පොල්ල, හොකී"),
        "yoga mat": ("yoga mat, exercise mat, mat", "", "යෝගා මැට්, යෝගා පැදුර, පැදුර"),
        "skateboard": ("skateboard, skate board", "", "ස්කේට්බෝඩ්"),
        "skipping rope": ("skipping rope, jump rope", "", "ස්කිපින් රෝප්"),
        "chess set": ("chess set, chess board, chessboard, chess", "", "චෙස් බෝඩ්, චෙස්"),
        "rubik cube": ("rubik cube, rubiks cube, rubix cube, rubik s cube", "", "රුබික් කියුබ්"),
        "stethoscope": ("stethoscope", "", "ස්ටෙතස්කෝප්"),
        "ball": ("ball, football, cricket ball, basketball, volleyball", "bola", "බෝලය, බෝල"),
        "teddy bear": ("teddy, teddy bear, soft toy, plush toy, doll", "", "ටෙඩි, ටෙඩි බෙයා, බෝනික්කා"),
        "guitar": ("guitar, ukulele", "", "ගිටාරය, ගිටාර්"),
        "lock": ("lock, padlock, cycle lock, bike lock", "", "ලොක්, ඉබ්බා"),
        "lanyard": ("lanyard, lanyards, tag holder, id holder, id tag", "lanyad", "ලැන්යාඩ්"),
    },
}

# Generic or accessory words count less than a clear item word when choosing a category.
_WEIGHTS: dict[str, float] = {
    "card": 1.0, "phone cover": 1.0, "box": 1.0, "cover": 0.5, "pouch": 2.0, "computer": 2.0, "cable": 2.0,
    "notes": 2.0, "file": 2.0, "documents": 2.0, "stationery": 2.0, "clothes": 2.0,
    "jewellery": 2.0, "sim card": 2.0, "money": 2.0, "lanyard": 1.5, "lock": 2.0, "ball": 2.0,
}
_ITEM_WEIGHT = 3.0
_BRAND_WEIGHT = 1.0

# Brands are kept as themselves: brand -> (spellings, category hint or None).
BRANDS: dict[str, tuple[str, str | None]] = {
    "iphone": ("iphone, i phone, අයිෆෝන්, අයි ෆෝන්", "Phone"),
    "galaxy book": ("galaxy book", "Laptop"),
    "samsung": ("samsung, galaxy, සැම්සුන්, සැම්සං, සැම්සුං, ගැලැක්සි", "Phone"),
    "redmi": ("redmi, රෙඩ්මි", "Phone"),
    "xiaomi": ("xiaomi, mi band, ෂාඕමි, ෂියාඕමි", "Phone"),
    "huawei": ("huawei, හුවාවේ, හුආවේ", "Phone"),
    "oppo": ("oppo, ඔප්පෝ", "Phone"),
    "vivo": ("vivo, විවෝ", "Phone"),
    "nokia": ("nokia, නෝකියා, නොකියා", "Phone"),
    "realme": ("realme, රියල්මී", "Phone"),
    "oneplus": ("oneplus, one plus", "Phone"),
    "infinix": ("infinix", "Phone"),
    "tecno": ("tecno", "Phone"),
    "motorola": ("motorola, moto", "Phone"),
    "google": ("google", "Phone"),
    "pixel": ("pixel, පික්සල්", "Phone"),
    "apple": ("apple, ඇපල්", None),
    "ipad": ("ipad, අයිපෑඩ්", "Electronics"),
    "macbook": ("macbook, mac book, mac, මැක්බුක්", "Laptop"),
    "dell": ("dell, ඩෙල්", "Laptop"),
    "inspiron": ("inspiron", "Laptop"),
    "lenovo": ("lenovo, ලෙනොවෝ, ලෙනෝවෝ", "Laptop"),
    "thinkpad": ("thinkpad, think pad", "Laptop"),
    "ideapad": ("ideapad, idea pad", "Laptop"),
    "hp": ("hp, එච්පී, එච් පී", "Laptop"),
    "asus": ("asus, ඇසුස්, අසුස්", "Laptop"),
    "vivobook": ("vivobook", "Laptop"),
    "zenbook": ("zenbook", "Laptop"),
    "acer": ("acer, ඒසර්, ඒසර්ස්", "Laptop"),
    "msi": ("msi", "Laptop"),
    "toshiba": ("toshiba, ටොෂිබා, තොෂිබා", "Laptop"),
    "huawei matebook": ("matebook", "Laptop"),
    "airpods": ("airpods, airpod, air pods, එයාපොඩ්ස්", "Electronics"),
    "jbl": ("jbl, ජේබීඑල්", "Electronics"),
    "bose": ("bose", "Electronics"),
    "beats": ("beats", "Electronics"),
    "sandisk": ("sandisk, සැන්ඩිස්ක්", "Electronics"),
    "kingston": ("kingston", "Electronics"),
    "transcend": ("transcend", "Electronics"),
    "seagate": ("seagate", "Electronics"),
    "anker": ("anker", "Electronics"),
    "baseus": ("baseus", "Electronics"),
    "logitech": ("logitech", "Electronics"),
    "kindle": ("kindle", "Electronics"),
    "canon": ("canon, කැනන්", "Electronics"),
    "nikon": ("nikon", "Electronics"),
    "sony": ("sony, සෝනි", None),
    "casio": ("casio, කැසියෝ, කැසියො", None),
    "g-shock": ("g shock, gshock, ජී ෂොක්", "Jewellery & Watches"),
    "titan": ("titan, ටයිටන්", "Jewellery & Watches"),
    "fossil": ("fossil", "Jewellery & Watches"),
    "rolex": ("rolex", "Jewellery & Watches"),
    "seiko": ("seiko", "Jewellery & Watches"),
    "timex": ("timex", "Jewellery & Watches"),
    "fitbit": ("fitbit", "Jewellery & Watches"),
    "nike": ("nike, නයිකි, නයික්", "Clothing"),
    "adidas": ("adidas, ඇඩිඩාස්", "Clothing"),
    "puma": ("puma, පූමා", "Clothing"),
    "levis": ("levis, levi s", "Clothing"),
    "north face": ("north face, northface", "Clothing"),
    "bata": ("bata, බාටා", "Clothing"),
    "dsi": ("dsi", "Clothing"),
    "atlas": ("atlas, ඇට්ලස්", "Books & Stationery"),
    "ray-ban": ("ray ban, rayban", "Glasses"),
    "milton": ("milton, මිල්ටන්", "Water Bottle"),
    "tupperware": ("tupperware", None),
    "jansport": ("jansport", "Bag"),
    "skybags": ("skybags, sky bags", "Bag"),
    "american tourister": ("american tourister", "Bag"),
    "targus": ("targus", "Bag"),
    "wildcraft": ("wildcraft, wild craft", "Bag"),
    "tommy hilfiger": ("tommy hilfiger, tommy", None),
    "cello": ("cello", "Water Bottle"),
    "oakley": ("oakley", "Glasses"),
    "yonex": ("yonex", None),
    "li-ning": ("li ning", None),
    "spalding": ("spalding", None),
    "molten": ("molten", None),
    "mrf": ("mrf", None),
    "yamaha": ("yamaha, යමහා", None),
    "honda": ("honda, හොන්ඩා", None),
    "bajaj": ("bajaj, බජාජ්", None),
    "tvs": ("tvs", None),
    "toyota": ("toyota, ටොයොටා", None),
    "suzuki": ("suzuki, සුසුකි", None),
    "faber-castell": ("faber castell, fabercastell, faber", "Books & Stationery"),
    "staedtler": ("staedtler", "Books & Stationery"),
    "parker": ("parker", "Books & Stationery"),
    "pilot": ("pilot", "Books & Stationery"),
    "promate": ("promate", "Books & Stationery"),
    "littmann": ("littmann, litmann", None),
    "skechers": ("skechers", "Clothing"),
    "reebok": ("reebok", "Clothing"),
    "under armour": ("under armour, under armor", "Clothing"),
    "zara": ("zara", "Clothing"),
    "h&m": ("h m, h&m", "Clothing"),
    "gucci": ("gucci", None),
    "hoco": ("hoco", "Electronics"),
    "remax": ("remax", "Electronics"),
    "xbox": ("xbox", "Electronics"),
    "playstation": ("playstation, ps4, ps5", "Electronics"),
}

# Product lines: line -> (maker, the item it is). "iphone" is an Apple phone.
PRODUCT_LINES: dict[str, tuple[str, str | None]] = {
    "iphone": ("apple", "phone"), "ipad": ("apple", "tablet"), "macbook": ("apple", "laptop"),
    "airpods": ("apple", "earbuds"), "redmi": ("xiaomi", "phone"), "pixel": ("google", "phone"),
    "inspiron": ("dell", "laptop"), "thinkpad": ("lenovo", "laptop"),
    "ideapad": ("lenovo", "laptop"), "vivobook": ("asus", "laptop"), "zenbook": ("asus", "laptop"),
    "huawei matebook": ("huawei", "laptop"), "g-shock": ("casio", "watch"),
    "kindle": ("amazon", "tablet"), "galaxy book": ("samsung", "laptop"),
}

# Filler and stop words: (English, Singlish, Sinhala). "pata"/"පාට" (colour) is filler.
STOP_WORDS: Variants = (
    "a, an, the, my, mine, me, i, im, ive, we, us, our, you, your, he, him, his, she, her, it, "
    "its, they, them, their, this, that, these, those, there, here, is, am, are, was, were, be, "
    "been, being, has, have, had, do, does, did, done, will, would, can, could, should, may, "
    "might, must, in, on, at, of, to, for, from, by, with, without, near, nearby, inside, "
    "outside, into, onto, around, about, behind, under, over, beside, next, between, and, or, "
    "but, so, if, then, than, also, too, very, just, only, some, any, all, one, someone, "
    "somebody, anyone, anybody, something, anything, lost, lose, losing, found, find, finding, "
    "missing, misplaced, left, leave, forgot, forgotten, forget, dropped, picked, pick, up, "
    "please, pls, plz, kindly, help, contact, call, msg, message, dm, inbox, hi, hello, hey, "
    "guys, thanks, thank, today, yesterday, morning, afternoon, evening, night, last, week, day, "
    "time, colour, color, coloured, colored, like, looks, look, thing, things, item, items, "
    "belongings, s, t, d, ll, m, re, ve, not, no, yes, which, who, what, where, when, how, "
    "got, get, seen, see, saw, owner, return, claim, contains, both, either, etc, pair, bro, sis",
    "eka, ekak, eke, ekata, eken, ekek, ek, ekakuth, ekath, ekama, ekedi, mage, mge, magey, "
    "mata, mta, mama, mn, api, ape, oya, oyage, oyata, eyage, eya, kauru, kawuru, kauruhari, "
    "kawda, kauda, hari, haruna, harune, haruni, hambuna, hambune, hambuwa, hambunoth, "
    "hambauna, hamba, hamuwuna, hamuwa, thibuna, thibune, thibba, thibbe, thibila, thiyenawa, "
    "thiyanawa, thiyana, thiyena, thiyenne, nathi, natha, nathiwa, una, wuna, une, wune, wela, "
    "giya, gihin, giye, da, dha, ne, neda, nedda, lagadi, langa, langadi, laga, gawa, athule, "
    "athula, ethule, uda, yata, wage, wagey, pata, paata, paate, pate, patin, dila, dunna, "
    "denna, dennako, ganna, gaththa, aran, aragena, kiyala, kiyanna, puluwan, puluwannam, "
    "karanna, karala, hoyala, hoyanna, hoyagaththa, dala, thiyala, amathaka, amathakawela, ada, "
    "iye, ude, hawasa, rae, dawase, welawe, anith, ane, aney, machan, aiye, akke, malli, nangi, "
    "ayya, kolla, kella, kenek, kenekuta, ithin, hinda, nisa, ekka, saha, wala, deka, dekak, "
    "kohe, koheda, mokak, mokakhari, godak, tikak, tika, wenna, wenawa, nam, thama, ewanna, ewwa, "
    "passe, pasu, ava, awa, aawa, ekaka, ekai, ekakin, dekama, vatila, watila, wetila, watuna, "
    "vatuna, wetuna, nathiwuna, nathiuna, thibunu, tibunu, yanakota, enakota, gahala, thiyanne, "
    "kiyanne, thiyenawada, mokadda, karapu, kalin, issarahin, langin, hoyagena, harunu, "
    "thiyapu, tiyapu, dapu, dala, danna, kiyanawa, oni, one, onna, meka, oka, ara, kaata, kageda",
    "එක, එකක්, එකේ, එකට, එකෙන්, එකෙක්, එකත්, එකම, මගේ, මගෙ, මට, මම, මාව, අපි, අපේ, අපට, "
    "ඔයා, ඔයාගේ, ඔයාට, ඔබ, ඔබේ, ඔබට, එයා, එයාගේ, කවුරු, කවුරුහරි, කවුද, හරි, හම්බුණා, "
    "හම්බවුණා, හම්බුණේ, හම්බ, හමු, හමුවුණා, හමුවිය, තිබුණා, තිබුණේ, තිබ්බා, තිබිලා, "
    "තියෙනවා, තියෙන, තිබෙන, තියලා, නැති, නැත, නැතිවුණා, නැතිවී, නැතිවිය, වුණා, වුණේ, විය, "
    "වෙලා, ගියා, ගිහින්, ගියේ, ද, නේ, නේද, ළඟ, ළඟදී, ළඟින්, ගාව, ඇතුළේ, ඇතුළත, උඩ, යට, "
    "පිටිපස්සේ, ඉස්සරහ, පාට, පාටයි, පාටින්, පැහැති, පැහැය, වගේ, දීලා, දුන්නා, දෙන්න, "
    "දෙන්නකෝ, ගන්න, ගත්තා, අරන්, අරගෙන, කියලා, කියන්න, පුළුවන්, කරන්න, කරලා, කරුණාකර, "
    "සොයාගත්තා, හොයාගත්තා, හොයන්න, හොයලා, දාලා, අමතක, අමතකවෙලා, අද, ඊයේ, උදේ, හවස, "
    "රෑ, දවසේ, වෙලාවේ, වෙනත්, අනිත්, අනේ, මචං, අයියා, අක්කා, මල්ලී, නංගී, කෙනෙක්, "
    "කෙනෙකුට, නිසා, හින්දා, එක්ක, සමග, සමඟ, සහ, හා, සහිත, දෙක, දෙකක්, කොහේ, කොහෙද, "
    "මොකක්, මොකක්හරි, දැන්, තාම, ගොඩක්, ටිකක්, මේ, ඒ, අර, ඔය, මෙම, එම, තුළ, මත, සිට, "
    "වෙත, ඇති, ඇත, පිළිබඳ, සඳහා, ඉතින්, නම්, කියා, වන, වූ, වැටිලා, වැටුණා, තිබුණු, යනකොට, "
    "එනකොට, පස්සේ, කලින්, ගහලා, බැඳලා, කරපු, වගේම, කිහිපයක්, තියපු, දාපු, ඕනෙ, ඕනේ, මේක, ඕක, "
    "කාගෙද, ආවා, ගෙනාවා, බාර, භාර, දුන්නා, දීලා",
)

# Singlish words that are also English words: mapped only when the text is not plain English.
_HOMOGRAPHS = frozenset({"ran", "dam", "nil"})
_NOT_SINGLISH_MARKERS = frozenset({"ran", "dam", "nil", "lap", "bro", "sis", "mes"})

# Glued Singlish endings ("walletek", "bageke", "kalupata"), longest first.
_GLUED_SUFFIXES: tuple[str, ...] = tuple(sorted(
    ("ekakuth", "ekath", "ekama", "ekedi", "ekata", "ekak", "eken", "ekek", "eke", "eka", "ek",
     "yak", "ak", "ata", "ta", "en", "e", "a", "k", "th", "pata", "paata", "pate", "wala"),
    key=len, reverse=True,
))
# Sinhala case and article endings; tried shortest first, the stem then gets "", "්" or "ය".
_SI_SUFFIXES_RAW = (
    "ේ", "ට", "ක්", "ක", "කට", "කින්", "කුත්", "ත්", "ෙන්", "ේදී", "දී", "ය", "යි", "යක්", "යක",
    "යට", "යේ", "යෙන්", "යේදී", "යත්", "ෙක්", "ෙක", "වල", "වලට", "වලින්", "ද", "එක", "එකක්",
    "එකේ", "එකට", "පාට", "පාටයි", "පාටින්", "්",
)
_SI_RESTORE = ("", "්", "ය")

# --- text cleaning -------------------------------------------------------------------------------

_ZWJ, _ZWNJ = "\u200d", "\u200c"
_LINE_BREAK_RE = re.compile("\r\n?|[\u2028\u2029]")
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_INVISIBLE_RE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_SINHALA_RE = re.compile("[\u0d80-\u0dff]")
_LATIN_RE = re.compile("[a-z\u00e0-\u024f]")
_SCRIPT_RUN_RE = re.compile(r"[\u0d80-\u0dff]+|[^\s\u0d80-\u0dff]+")


def _is_sinhala(char: str) -> bool:
    return "\u0d80" <= char <= "\u0dff"


def _is_emoji_part(char: str) -> bool:
    return (unicodedata.category(char) == "So" or char == "\ufe0f"
            or "\U0001f3fb" <= char <= "\U0001f3ff")


def _keeps_joiner(text: str, i: int) -> bool:
    """ZWJ/ZWNJ between two Sinhala characters, or ZWJ inside an emoji sequence."""
    if text[i] not in (_ZWJ, _ZWNJ) or i == 0 or i + 1 == len(text):
        return False
    before, after = text[i - 1], text[i + 1]
    if _is_sinhala(before) and _is_sinhala(after):
        return True
    return text[i] == _ZWJ and _is_emoji_part(before) and _is_emoji_part(after)


def _strip_invisible(text: str) -> str:
    return _INVISIBLE_RE.sub(lambda m: m.group() if _keeps_joiner(text, m.start()) else "", text)


def _collapse_whitespace(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean_text(text: str) -> str:
    """User text made safe to store: NFC, no control characters (newline and tab kept), no
    zero-width or bidi-override characters (ZWJ/ZWNJ kept inside Sinhala, ZWJ inside emoji),
    spaces collapsed (at most one blank line), stripped. Keeps case and emoji."""
    text = _CONTROL_RE.sub("", _LINE_BREAK_RE.sub("\n", text))
    return _collapse_whitespace(unicodedata.normalize("NFC", _strip_invisible(text)))


def _word_char(char: str) -> str:
    category = unicodedata.category(char)
    mark = category in ("Mn", "Mc") and not "\ufe00" <= char <= "\ufe0f"
    return char if category[0] in "LN" or mark else " "


def normalize(text: str) -> str:
    """Matching form: clean_text, NFKC, casefold, ZWJ/ZWNJ removed, every character that is not a
    letter, digit or combining mark (punctuation, symbols, emoji) -> space, spaces collapsed."""
    text = unicodedata.normalize("NFKC", clean_text(text)).casefold()
    text = text.replace(_ZWJ, "").replace(_ZWNJ, "")
    return " ".join("".join(map(_word_char, text)).split())


def _words(text: str) -> list[str]:
    """normalize(text) split into words; a switch between Sinhala and other script splits too."""
    return _SCRIPT_RUN_RE.findall(normalize(text))


# --- spelling folds and lookup tables ------------------------------------------------------------

_FOLD_TABLE = str.maketrans({
    "ණ": "න", "ළ": "ල", "ෂ": "ශ", "ථ": "ත", "ධ": "ද", "භ": "බ", "ඛ": "ක", "ඝ": "ග", "ඨ": "ට",
    "ඪ": "ඩ", "ඵ": "ප", "ඡ": "ච", "ඳ": "ද", "ඟ": "ග", "ඬ": "ඩ", "ඹ": "බ", "ෑ": "ැ", "ී": "ි",
    "ූ": "ු", "ේ": "ෙ", "ෝ": "ො", "ඊ": "ඉ", "ඌ": "උ", "ඒ": "එ", "ඕ": "ඔ", "ඈ": "ඇ",
    "æ": "a", "v": "w",
})
_LATIN_FOLDS = (("ph", "f"), ("th", "t"), ("dh", "d"), ("ae", "a"))
_REPEAT_RE = re.compile(r"(.)\1+")


@lru_cache(maxsize=16384)
def _fold(word: str) -> str:
    """Loose spelling key: Sinhala long/short vowels, retroflex, aspirate and prenasal letters
    merged; Singlish th/t, ph/f, v/w, ae/a merged; repeated letters collapsed."""
    word = word.translate(_FOLD_TABLE)
    for old, new in _LATIN_FOLDS:
        word = word.replace(old, new)
    return _REPEAT_RE.sub(r"\1", word)


def _fold_key(key: str) -> str:
    return " ".join(map(_fold, key.split()))


class _Entry(NamedTuple):
    canonical: str
    kind: str  # colour, attribute, place, item, brand, stop or word (unknown)
    category: str | None = None
    weight: float = 0.0


_STOP = _Entry("", "stop")


def _split(variants: str) -> list[str]:
    return [v.strip() for v in variants.split(",") if v.strip()]


def _rows(canonical: str, variants: Variants, entry: _Entry) -> Iterator[tuple[str, _Entry, bool]]:
    """(spelling, entry, loose) rows of one entry; Singlish and Sinhala spellings match loosely."""
    english, singlish, sinhala = variants
    for spelling in ([canonical] if canonical else []) + _split(english):
        yield spelling, entry, not spelling.isascii()
    for spelling in _split(singlish) + _split(sinhala):
        yield spelling, entry, True


def _lexicon_rows() -> Iterator[tuple[str, _Entry, bool]]:
    domains = (("colour", COLOURS), ("attribute", ATTRIBUTES), ("material", MATERIALS),
               ("issuer", ISSUERS), ("place", PLACES))
    for kind, domain in domains:
        for canonical, variants in domain.items():
            yield from _rows(canonical, variants, _Entry(canonical, kind))
    for category, items in ITEMS.items():
        for canonical, variants in items.items():
            weight = _WEIGHTS.get(canonical, _ITEM_WEIGHT)
            yield from _rows(canonical, variants, _Entry(canonical, "item", category, weight))
    for brand, (spellings, category) in BRANDS.items():
        entry = _Entry(brand, "brand", category, _BRAND_WEIGHT)
        yield from _rows(brand, (spellings, "", ""), entry)
    yield from _rows("", STOP_WORDS, _STOP)


class _Tables(NamedTuple):
    exact: dict[str, _Entry]
    loose: dict[str, _Entry]
    phrase_starts: frozenset[str]
    conflicts: list[str]  # spellings claimed by two canonical forms; kept empty by the tests


def _add(table: dict[str, _Entry], key: str, entry: _Entry, conflicts: list[str],
         stop_clash_ok: bool = False) -> None:
    """Insert; the first entry wins and a clash of two canonical forms is recorded."""
    old = table.setdefault(key, entry)
    if old.canonical == entry.canonical or (stop_clash_ok and _STOP in (old, entry)):
        return
    conflicts.append(f"{key!r}: {old.canonical or 'stop'} / {entry.canonical or 'stop'}")


def _build_tables() -> _Tables:
    exact: dict[str, _Entry] = {}
    loose: dict[str, _Entry] = {}
    starts: set[str] = set()
    conflicts: list[str] = []
    for spelling, entry, is_loose in _lexicon_rows():
        key = " ".join(_words(spelling))
        _add(exact, key, entry, conflicts)
        if is_loose:
            _add(loose, _fold_key(key), entry, conflicts, stop_clash_ok=True)
        if " " in key:
            starts.add(_fold(key.split()[0]))
    return _Tables(exact, loose, frozenset(starts), conflicts)


_TABLES = _build_tables()


def _singlish_markers() -> frozenset[str]:
    """Loose keys of Singlish spellings that are not also English words."""
    columns = [*COLOURS.values(), *ATTRIBUTES.values(), *MATERIALS.values(), *PLACES.values(),
               STOP_WORDS]
    columns += [v for items in ITEMS.values() for v in items.values()]
    english = {_fold(w) for col in columns for s in _split(col[0]) for w in _words(s)}
    singlish = {_fold(w) for col in columns for s in _split(col[1]) for w in _words(s)}
    return frozenset(singlish - english - {_fold(w) for w in _NOT_SINGLISH_MARKERS})


_SINGLISH_MARKERS = _singlish_markers()
_SI_SUFFIXES = tuple(sorted({_fold(s) for s in _SI_SUFFIXES_RAW}, key=len))


@lru_cache(maxsize=16384)
def _lookup(key: str) -> _Entry | None:
    """Entry for a normalized word or phrase: exact spelling first, then the loose spelling."""
    found = _TABLES.exact.get(key)
    return found if found is not None else _TABLES.loose.get(_fold_key(key))


@lru_cache(maxsize=8192)
def _sinhala_stems(word: str) -> tuple[str, ...]:
    """word, then its loose stems with a case ending or article removed (least removed first)."""
    folded = _fold(word)
    stems = [word]
    for suffix in _SI_SUFFIXES:
        stem = folded[: -len(suffix)]
        if folded.endswith(suffix) and len(stem) >= 2:
            stems.extend(stem + end for end in _SI_RESTORE)
    return tuple(stems)


def _candidates(word: str) -> tuple[str, ...]:
    """Spellings to try for a word: itself, then Sinhala stems or English singulars."""
    if _SINHALA_RE.search(word):
        return _sinhala_stems(word)
    singulars = [word[:-n] for n, end in ((1, "s"), (2, "es")) if word.endswith(end)]
    return (word, *(s for s in singulars if len(s) >= 3))


@lru_cache(maxsize=16384)
def _lookup_phrase(words: tuple[str, ...]) -> _Entry | None:
    head = " ".join(words[:-1])
    for candidate in _candidates(words[-1]):
        entry = _lookup(f"{head} {candidate}" if head else candidate)
        if entry is not None:
            return entry
    return None


@lru_cache(maxsize=8192)
def _unglue(word: str) -> str:
    """Singlish word with a glued ending reduced to its known base: "walletek" -> "wallet"."""
    if not (word.isascii() and word.isalpha()) or _lookup(word) is not None:
        return word
    for suffix in _GLUED_SUFFIXES:
        stem = word[: -len(suffix)]
        if not word.endswith(suffix) or len(stem) < 3:
            continue
        for base in (stem, stem + "a"):
            entry = _TABLES.exact.get(base)
            if entry is not None and entry.kind != "stop":
                return base
    return word


def tokens(text: str) -> list[str]:
    """Word tokens of normalize(text): runs of letters/digits, Sinhala with its vowel signs and
    virama; Singlish glued endings split off a known base ("walletek" -> "wallet")."""
    return [_unglue(word) for word in _words(text)]


# --- analysis ------------------------------------------------------------------------------------


class _Hit(NamedTuple):
    start: int
    end: int
    entry: _Entry


def _match(words: list[str], i: int) -> tuple[_Entry | None, int]:
    """Longest lexicon phrase (up to three words) starting at words[i], and its length."""
    if _fold(words[i]) in _TABLES.phrase_starts:
        for size in (3, 2):
            entry = _lookup_phrase(tuple(words[i : i + size])) if i + size <= len(words) else None
            if entry is not None and entry.kind != "stop":
                return entry, size
    return _lookup_phrase((words[i],)), 1


def _resolve(word: str, entry: _Entry | None, english: bool) -> _Entry | None:
    """Stop words dropped; unknown words (and English homographs in English text) kept."""
    if entry is None or (english and word in _HOMOGRAPHS):
        return _Entry(word, "word") if len(word) > 1 or word.isdigit() else None
    return None if entry.kind == "stop" else entry


def _brand_sounds() -> dict[str, _Entry]:
    """sound_key of every Latin brand spelling -> its brand (keys two brands share are left out)."""
    table: dict[str, _Entry] = {}
    shared: set[str] = set()
    for brand, (spellings, category) in BRANDS.items():
        entry = _Entry(brand, "brand", category, _BRAND_WEIGHT)
        for spelling in [brand, *_split(spellings)]:
            if spelling.isascii():
                key = sound_key(spelling)
                if table.setdefault(key, entry).canonical != brand:
                    shared.add(key)
    return {key: entry for key, entry in table.items() if key not in shared}


_BRAND_SOUNDS = _brand_sounds()


def _unknown_entry(word: str, romanized: str | None) -> _Entry | None:
    """A word the lexicon does not know: a Sinhala word is romanized and looked up again (ලැප්ටොප්
    -> "laptop", ටොෂිබා -> "toshiba"); a longer Latin word may be a brand misspelt ("toshibha")."""
    if romanized is not None:
        base = _unglue(romanized.strip())
        if not base:
            return _STOP
        entry = _lookup_phrase((base,)) if " " not in base else None
        if entry is not None:
            return entry
        brand = _BRAND_SOUNDS.get(sound_key(base))
        return brand if brand is not None else _Entry(base, "word")
    key = sound_key(word) if word.isascii() and word.isalpha() else ""
    return _BRAND_SOUNDS.get(key) if len(key) >= 5 else None


@lru_cache(maxsize=8192)
def _analyse(text: str) -> tuple[_Hit, ...]:
    raw = _words(text)
    words = [_unglue(word) for word in raw]
    english = _style(raw) == "en"
    unknown = [w for w in words if _SINHALA_RE.search(w) and _lookup_phrase((w,)) is None]
    romanized = dict(zip(unknown, romanize_words(unknown), strict=True))
    hits: list[_Hit] = []
    i = 0
    while i < len(words):
        entry, size = _match(words, i)
        if entry is None:
            entry = _unknown_entry(words[i], romanized.get(words[i]))
        entry = _resolve(words[i], entry, english)
        if entry is not None:
            hits.append(_Hit(i, i + size, entry))
        i += size
    return tuple(hits)


class Hit(NamedTuple):
    """One recognised word or phrase: words[start:end] of tokens(text)."""

    start: int
    end: int
    canonical: str  # canonical English form; for an unknown word the word (romanized if Sinhala)
    kind: str  # colour, attribute, material, place, item, brand or word (unknown)
    category: str | None


def analyse(text: str) -> tuple[Hit, ...]:
    """Every content word or phrase of the text in order, stop words left out (cached)."""
    return _public_hits(text)


@lru_cache(maxsize=8192)
def _public_hits(text: str) -> tuple[Hit, ...]:
    return tuple(Hit(h.start, h.end, h.entry.canonical, h.entry.kind, h.entry.category)
                 for h in _analyse(text))


def keywords(text: str) -> set[str]:
    """Content words as canonical English: synonyms in English, Singlish and Sinhala map to one
    form (kalu/කළු/black -> "black"), case endings are removed (පුස්තකාලයේ -> "library"), filler and
    stop words dropped, brands and unknown words kept as normalized."""
    return {hit.entry.canonical for hit in _analyse(text)}


def _scores(hits: Iterable[_Hit]) -> dict[str, tuple[float, int]]:
    """category -> (strongest weight, first position). A word directly followed by another item
    word is a modifier ("laptop bag", "phone charger") and counts half."""
    items = [hit for hit in hits if hit.entry.category]
    starts = {hit.start for hit in items}
    scores: dict[str, tuple[float, int]] = {}
    for hit in items:
        weight = hit.entry.weight / 2 if hit.end in starts else hit.entry.weight
        category = str(hit.entry.category)
        best, first = scores.get(category, (0.0, hit.start))
        scores[category] = (max(best, weight), min(first, hit.start))
    return scores


def detect_category(text: str) -> str:
    """One of CATEGORIES from the item words in the text; the strongest wins, then the earliest.
    "Other" when no item word is found."""
    scores = _scores(_analyse(text))
    if not scores:
        return "Other"
    return min(scores, key=lambda c: (-scores[c][0], scores[c][1]))


def is_sensitive(text: str, category: str) -> bool:
    """True for ID cards, documents and bank/ATM/credit/debit cards (category, or words in any
    language in the text), whose photos must stay hidden."""
    if parse_category(category) in SENSITIVE_CATEGORIES:
        return True
    return any(hit.entry.category in SENSITIVE_CATEGORIES for hit in _analyse(text))


def _is_singlish(word: str) -> bool:
    return _fold(word) in _SINGLISH_MARKERS or (word.isascii() and _unglue(word) != word)


def _style(words: list[str]) -> str:
    sinhala = sum(1 for w in words if _SINHALA_RE.search(w))
    latin = sum(1 for w in words if _LATIN_RE.search(w) and not _SINHALA_RE.search(w))
    if sinhala + latin == 0:
        return "en"
    if min(sinhala, latin) / (sinhala + latin) >= 0.3:
        return "mixed"
    if sinhala > latin:
        return "si"
    singlish = sum(1 for w in words if _LATIN_RE.search(w) and _is_singlish(w))
    return "singlish" if singlish >= 2 or singlish / latin >= 0.3 else "en"


def language_style(text: str) -> str:
    """"si" when mostly Sinhala script, "mixed" when Sinhala and Latin words are both at least 30%,
    "singlish" when Latin with several known Singlish words, else "en" (also for other scripts)."""
    return _style(_words(text))


# --- category names ------------------------------------------------------------------------------

_CONNECTIVES = frozenset({"and", "සහ", "හා"})


def _category_key(name: str) -> str:
    return " ".join(_fold(w) for w in normalize(name).split() if w not in _CONNECTIVES)


def _category_lookup() -> dict[str, str]:
    names = {**{c: c for c in CATEGORIES}, **ALIASES}
    for shown in DISPLAY_NAMES.values():
        names.update({name: category for category, name in shown.items()})
    return {_category_key(name): category for name, category in names.items()}


_CATEGORY_LOOKUP = _category_lookup()


def parse_category(name: str) -> str | None:
    """Canonical English category for a displayed name in any language, a canonical name or an
    alias ("id", "books", "Jewelry & Watches", "ID කාඩ්"), case- and punctuation-insensitive;
    None when unknown."""
    return _CATEGORY_LOOKUP.get(_category_key(name)) if name else None
