# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Location lookups for US and Canadian phone numbers and ZIP codes: the
probable state or province and IANA time zones.

A number's area code gives the place where it was issued, not where its
owner is today, and some area codes and ZIP prefixes straddle a time-zone
line. Both
lookups therefore return every zone the place may be in, and callers apply
a sending window in all of them.

The tables list the geographic area codes of the United States and Canada.
Their regions and zones were checked against the data of the phonenumbers
library, version 9.0.43. Non-geographic codes (8XX toll free, 500, 900)
and the Caribbean NANP countries are not listed.
NOTE: an area code opened after that check returns no region until it is
added to AREA_CODES; callers then fall back on other information.

Pure Python (stdlib only), so it runs without a database.
"""

import re

# Geographic area codes by US state, district, territory or Canadian
# province (two-letter postal codes; "NT" also covers Yukon and Nunavut,
# which share 867).
AREA_CODES = {
    "AL": "205 251 256 334 659 938",
    "AK": "907",
    "AZ": "480 520 602 623 928",
    "AR": "327 479 501 870",
    "CA": "209 213 279 310 323 341 350 369 408 415 424 442 510 530 559 562 619 "
    "626 628 650 657 661 669 707 714 738 747 760 805 818 820 831 837 840 858 909 "
    "916 925 949 951",
    "CO": "303 719 720 748 970 983",
    "CT": "203 475 860 959",
    "DE": "302",
    "DC": "202 771",
    "FL": "239 305 321 324 352 386 407 448 561 645 656 689 727 728 754 772 786 "
    "813 850 863 904 941 954",
    "GA": "229 404 470 478 678 706 762 770 912 943",
    "HI": "808",
    "ID": "208 986",
    "IL": "217 224 309 312 331 447 464 618 630 708 730 773 779 815 847 861 872",
    "IN": "219 260 317 463 574 765 812 930",
    "IA": "319 515 563 641 712",
    "KS": "316 620 785 913",
    "KY": "270 364 502 606 859",
    "LA": "225 318 337 504 985",
    "ME": "207",
    "MD": "227 240 301 410 443 667",
    "MA": "339 351 413 508 617 774 781 857 978",
    "MI": "231 248 269 313 517 586 616 679 734 810 906 947 989",
    "MN": "218 320 507 612 651 763 924 952",
    "MS": "228 601 662 769",
    "MO": "235 314 417 557 573 636 660 816 975",
    "MT": "406",
    "NE": "308 402 531",
    "NV": "702 725 775",
    "NH": "603",
    "NJ": "201 551 609 640 732 848 856 862 908 973",
    "NM": "505 575",
    "NY": "212 315 329 332 347 363 516 518 585 607 624 631 646 680 716 718 838 845 "
    "914 917 929 934",
    "NC": "252 336 472 704 743 828 910 919 980 984",
    "ND": "701",
    "OH": "216 220 234 283 326 330 380 419 436 440 513 567 614 740 937",
    "OK": "405 539 572 580 918",
    "OR": "458 503 541 971",
    "PA": "215 223 267 272 412 445 484 570 582 610 717 724 814 835 878",
    "RI": "401",
    "SC": "803 821 839 843 854 864",
    "SD": "605",
    "TN": "423 615 629 731 865 901 931",
    "TX": "210 214 254 281 325 346 361 409 430 432 469 512 682 713 726 737 806 "
    "817 830 832 903 915 936 940 945 956 972 979",
    "UT": "385 435 801",
    "VT": "802",
    "VA": "276 434 540 571 686 703 757 804 826 948",
    "WA": "206 253 360 425 509 564",
    "WV": "304 681",
    "WI": "262 274 353 414 534 608 715 920",
    "WY": "307",
    "PR": "787 939",
    "VI": "340",
    "GU": "671",
    "AS": "684",
    "MP": "670",
    # Canada
    "AB": "368 403 587 780 825",
    "BC": "236 250 257 604 672 778",
    "MB": "204 431 584",
    "NB": "428 506",
    "NL": "709 879",
    "NS": "782 902",
    "ON": "226 249 289 343 365 382 387 416 437 519 548 613 647 683 705 742 753 "
    "807 905 942",
    "QC": "263 273 354 367 418 438 450 468 514 579 581 819 873",
    "SK": "306 474 639",
    "NT": "867",
}

# The zone of most of each region. Regions split by a zone line list the
# exceptions in AREA_CODE_ZONES and ZIP3_ZONES.
REGION_ZONES = {
    "AL": "America/Chicago",
    "AK": "America/Anchorage",
    "AZ": "America/Phoenix",
    "AR": "America/Chicago",
    "CA": "America/Los_Angeles",
    "CO": "America/Denver",
    "CT": "America/New_York",
    "DE": "America/New_York",
    "DC": "America/New_York",
    "FL": "America/New_York",
    "GA": "America/New_York",
    "HI": "Pacific/Honolulu",
    "ID": "America/Boise",
    "IL": "America/Chicago",
    "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago",
    "KS": "America/Chicago",
    "KY": "America/New_York",
    "LA": "America/Chicago",
    "ME": "America/New_York",
    "MD": "America/New_York",
    "MA": "America/New_York",
    "MI": "America/Detroit",
    "MN": "America/Chicago",
    "MS": "America/Chicago",
    "MO": "America/Chicago",
    "MT": "America/Denver",
    "NE": "America/Chicago",
    "NV": "America/Los_Angeles",
    "NH": "America/New_York",
    "NJ": "America/New_York",
    "NM": "America/Denver",
    "NY": "America/New_York",
    "NC": "America/New_York",
    "ND": "America/Chicago",
    "OH": "America/New_York",
    "OK": "America/Chicago",
    "OR": "America/Los_Angeles",
    "PA": "America/New_York",
    "RI": "America/New_York",
    "SC": "America/New_York",
    "SD": "America/Chicago",
    "TN": "America/Chicago",
    "TX": "America/Chicago",
    "UT": "America/Denver",
    "VT": "America/New_York",
    "VA": "America/New_York",
    "WA": "America/Los_Angeles",
    "WV": "America/New_York",
    "WI": "America/Chicago",
    "WY": "America/Denver",
    "PR": "America/Puerto_Rico",
    "VI": "America/St_Thomas",
    "GU": "Pacific/Guam",
    "AS": "Pacific/Pago_Pago",
    "MP": "Pacific/Saipan",
    "AA": "America/New_York",
    "AE": "Europe/Berlin",
    "AP": "Pacific/Guam",
    "AB": "America/Edmonton",
    "BC": "America/Vancouver",
    "MB": "America/Winnipeg",
    "NB": "America/Moncton",
    "NL": "America/St_Johns",
    "NS": "America/Halifax",
    "ON": "America/Toronto",
    "QC": "America/Toronto",
    "SK": "America/Regina",
    "NT": "America/Yellowknife",
}

# Area codes that cover more than one zone, or another zone than most of
# their region.
AREA_CODE_ZONES = {
    # Florida panhandle: Tallahassee is Eastern, Pensacola Central.
    "850": ("America/New_York", "America/Chicago"),
    "448": ("America/New_York", "America/Chicago"),
    # Idaho's panhandle is Pacific.
    "208": ("America/Boise", "America/Los_Angeles"),
    "986": ("America/Boise", "America/Los_Angeles"),
    # Northwest and southwest Indiana are Central.
    "219": ("America/Chicago", "America/Indiana/Indianapolis"),
    "812": ("America/Indiana/Indianapolis", "America/Chicago"),
    "930": ("America/Indiana/Indianapolis", "America/Chicago"),
    "574": ("America/Indiana/Indianapolis", "America/Chicago"),
    # Western Kansas counties on Mountain time.
    "620": ("America/Chicago", "America/Denver"),
    "785": ("America/Chicago", "America/Denver"),
    # Kentucky: the west is Central.
    "270": ("America/Chicago", "America/New_York"),
    "364": ("America/Chicago", "America/New_York"),
    "606": ("America/New_York", "America/Chicago"),
    # Michigan's Upper Peninsula border counties are Central.
    "906": ("America/Detroit", "America/Menominee"),
    # Nebraska and the Dakotas: the west is Mountain.
    "308": ("America/Chicago", "America/Denver"),
    "605": ("America/Chicago", "America/Denver"),
    "701": ("America/Chicago", "America/Denver"),
    # Eastern Oregon's Malheur County is Mountain.
    "541": ("America/Los_Angeles", "America/Boise"),
    "458": ("America/Los_Angeles", "America/Boise"),
    # Tennessee: the east is Eastern.
    "423": ("America/New_York", "America/Chicago"),
    "865": ("America/New_York",),
    "931": ("America/Chicago", "America/New_York"),
    # El Paso and Hudspeth County, Texas, are Mountain.
    "915": ("America/Denver",),
    # West Wendover, Nevada, keeps Mountain time.
    "775": ("America/Los_Angeles", "America/Denver"),
    # Interior British Columbia is partly on Mountain time.
    "250": ("America/Vancouver", "America/Edmonton"),
    "236": ("America/Vancouver", "America/Edmonton"),
    "257": ("America/Vancouver", "America/Edmonton"),
    "672": ("America/Vancouver", "America/Edmonton"),
    "778": ("America/Vancouver", "America/Edmonton"),
    # Labrador is on Atlantic time.
    "709": ("America/St_Johns", "America/Goose_Bay"),
    "879": ("America/St_Johns", "America/Goose_Bay"),
    # Northwestern Ontario is Central.
    "807": ("America/Toronto", "America/Winnipeg"),
    # Yukon, Northwest Territories and Nunavut.
    "867": (
        "America/Whitehorse",
        "America/Yellowknife",
        "America/Rankin_Inlet",
        "America/Iqaluit",
    ),
}

# US ZIP code prefixes (first three digits) by state: (first, last, state).
# AA, AE and AP are the military post offices.
ZIP3_RANGES = [
    (5, 5, "NY"),
    (6, 7, "PR"),
    (8, 8, "VI"),
    (9, 9, "PR"),
    (10, 27, "MA"),
    (28, 29, "RI"),
    (30, 38, "NH"),
    (39, 49, "ME"),
    (50, 54, "VT"),
    (55, 55, "MA"),
    (56, 59, "VT"),
    (60, 69, "CT"),
    (70, 89, "NJ"),
    (90, 99, "AE"),
    (100, 149, "NY"),
    (150, 196, "PA"),
    (197, 199, "DE"),
    (200, 200, "DC"),
    (201, 201, "VA"),
    (202, 205, "DC"),
    (206, 219, "MD"),
    (220, 246, "VA"),
    (247, 268, "WV"),
    (270, 289, "NC"),
    (290, 299, "SC"),
    (300, 319, "GA"),
    (320, 339, "FL"),
    (340, 340, "AA"),
    (341, 349, "FL"),
    (350, 369, "AL"),
    (370, 385, "TN"),
    (386, 397, "MS"),
    (398, 399, "GA"),
    (400, 427, "KY"),
    (430, 459, "OH"),
    (460, 479, "IN"),
    (480, 499, "MI"),
    (500, 528, "IA"),
    (530, 549, "WI"),
    (550, 567, "MN"),
    (569, 569, "DC"),
    (570, 577, "SD"),
    (580, 588, "ND"),
    (590, 599, "MT"),
    (600, 629, "IL"),
    (630, 658, "MO"),
    (660, 679, "KS"),
    (680, 693, "NE"),
    (700, 714, "LA"),
    (716, 729, "AR"),
    (730, 732, "OK"),
    (733, 733, "TX"),
    (734, 749, "OK"),
    (750, 799, "TX"),
    (800, 816, "CO"),
    (820, 831, "WY"),
    (832, 838, "ID"),
    (840, 847, "UT"),
    (850, 865, "AZ"),
    (870, 884, "NM"),
    (885, 885, "TX"),
    (889, 898, "NV"),
    (900, 961, "CA"),
    (962, 966, "AP"),
    (967, 968, "HI"),
    (969, 969, "GU"),
    (970, 979, "OR"),
    (980, 994, "WA"),
    (995, 999, "AK"),
]

# ZIP prefixes in another zone than most of their state, or split by a
# zone line.
ZIP3_ZONES = {
    # Florida panhandle west of the Apalachicola river.
    "324": ("America/Chicago",),
    "325": ("America/Chicago",),
    # Northwest Indiana (Gary) and the Evansville area.
    "463": ("America/Chicago",),
    "464": ("America/Chicago",),
    "476": ("America/Chicago",),
    "477": ("America/Chicago",),
    # Western Kentucky.
    "420": ("America/Chicago",),
    "421": ("America/Chicago",),
    "422": ("America/Chicago",),
    "423": ("America/Chicago",),
    "424": ("America/Chicago",),
    # East Tennessee (Chattanooga, Knoxville, Tri-Cities).
    "373": ("America/New_York",),
    "374": ("America/New_York",),
    "376": ("America/New_York",),
    "377": ("America/New_York",),
    "378": ("America/New_York",),
    "379": ("America/New_York",),
    # Michigan's Upper Peninsula west.
    "498": ("America/Detroit", "America/Menominee"),
    "499": ("America/Detroit", "America/Menominee"),
    # Western Kansas, Nebraska and the Dakotas.
    "677": ("America/Chicago", "America/Denver"),
    "678": ("America/Chicago", "America/Denver"),
    "691": ("America/Chicago", "America/Denver"),
    "692": ("America/Chicago", "America/Denver"),
    "693": ("America/Denver",),
    "575": ("America/Chicago", "America/Denver"),
    "576": ("America/Chicago", "America/Denver"),
    "577": ("America/Denver",),
    "586": ("America/Denver",),
    # Idaho's panhandle and eastern Oregon.
    "835": ("America/Los_Angeles",),
    "838": ("America/Los_Angeles",),
    "979": ("America/Boise",),
    # El Paso, Texas.
    "798": ("America/Denver",),
    "799": ("America/Denver",),
    "885": ("America/Denver",),
}

_REGION_BY_AREA_CODE = {
    code: region for region, codes in AREA_CODES.items() for code in codes.split()
}
_NANP_NUMBER = re.compile(r"^\+1([2-9]\d{2})[2-9]\d{6}$")
_US_ZIP = re.compile(r"^(\d{3})\d{2}(?:-\d{4})?$")


def area_code(number):
    """Return the area code of an E.164 NANP number (``+1NXXNXXXXXX``), or
    None for any other number."""
    match = _NANP_NUMBER.match(number or "")
    return match.group(1) if match else None


def area_code_region(number):
    """Return the state or province of the number's area code, or None."""
    return _REGION_BY_AREA_CODE.get(area_code(number))


def area_code_zones(number):
    """Return the time zones the number's area code covers, or () when the
    area code is unknown or the number is not a NANP number."""
    code = area_code(number)
    if code in AREA_CODE_ZONES:
        return AREA_CODE_ZONES[code]
    region = _REGION_BY_AREA_CODE.get(code)
    return (REGION_ZONES[region],) if region else ()


def zip_state(zip_code):
    """Return the state of a five-digit (or ZIP+4) US ZIP code, or None."""
    match = _US_ZIP.match((zip_code or "").strip())
    if not match:
        return None
    prefix = int(match.group(1))
    for first, last, state in ZIP3_RANGES:
        if first <= prefix <= last:
            return state
    return None


def zip_zones(zip_code):
    """Return the time zones a US ZIP code may be in, or ()."""
    state = zip_state(zip_code)
    if not state:
        return ()
    prefix = zip_code.strip()[:3]
    return ZIP3_ZONES.get(prefix) or (REGION_ZONES[state],)


def region_zones(region):
    """Return the main time zone of a state or province code, or ()."""
    zone = REGION_ZONES.get((region or "").upper())
    return (zone,) if zone else ()
