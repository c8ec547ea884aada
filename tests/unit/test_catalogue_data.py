"""Validate the county item catalogue seed (assets/seed/catalogue.json).

The back office loads this file as the 事项实施清单 (item implementation list) of
澄迈县 (division code 469023). These tests pin the schema the loader relies on and the
content rules of the "一窗综办" reform: seven comprehensive windows, the "6+1" item types,
最多跑一次, 容缺受理, e-licences (GB/T 36904 licence type codes) and "一件事" bundles.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

CATALOGUE = Path(__file__).resolve().parents[2] / "assets/seed/catalogue.json"

WINDOWS = [
    ("W1", "建设工程项目审批和联合验收"),
    ("W2", "企业开办"),
    ("W3", "国际投资单一窗口"),
    ("W4", "不动产交易登记"),
    ("W5", "民生教育服务"),
    ("W6", "社会管理"),
    ("W7", "人才服务"),
]
TYPE_ABBREV = {"01": "XK", "05": "GF", "07": "QR", "08": "JL", "09": "CJ", "10": "QT", "20": "GG"}
AUDIENCES = {"person", "company"}
CHANNELS = {"kiosk", "online", "window", "appointment", "delivery"}
RESULT_TYPES = {"licence", "approval", "certificate", "payment", "record", "none"}
NECESSITY = {"required", "optional", "deferrable"}
MATERIAL_FORMS = {"original", "copy", "electronic"}
SOURCES = {"applicant", "e_licence", "data_sharing"}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
LIST_DATATYPES = {"singlevaluelist", "multivaluelist"}
FORMATS = {"phone", "id_number", "credit_code", "date", ""}

ITEM_KEYS = {
    "code", "name", "name_en", "type", "level", "window", "department", "audience",
    "legal_days", "promised_days", "visits", "fees", "channels", "kiosk", "result",
    "conditions", "conditions_en", "materials", "form",
}
ITEM_OPTIONAL_KEYS = {"where_instead", "where_instead_en"}
FEE_KEYS = {"name", "standard", "exemption"}
FEE_OPTIONAL_KEYS = {"name_en", "standard_en", "exemption_en"}
RESULT_KEYS = {"name", "name_en", "type"}
MATERIAL_KEYS = {"code", "name", "name_en", "necessity", "forms", "source", "copies", "blank_form", "sample"}
FIELD_KEYS = {"code", "label", "label_en", "datatype", "format", "required"}

ITEM_CODE = re.compile(r"^469023-(XK|GF|QR|JL|CJ|QT|GG)-([A-Z]{2,5})-(\d{4})$")
LICENCE_TYPE_CODE = re.compile(r"^[0-9A-Z]{18}\d{3}$")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
# Frequent traditional characters whose simplified form is expected in this catalogue.
TRADITIONAL = set(
    "證記營業許請書機關縣務勞醫療險戶學養齡資經費號辦與產權發護職稅車運農漁軍"
    "規劃區標準條類設認診確徵驗續報單額據圖質錄監廳鎮鄉導輔補貼換頒檢審處決員會議"
    "國對開從應還當現將點實長間問題種動頭兩義電話碼門東體親買賣場網聯絡傳轉輸屬權"
    "簽統計總織構圍獎勵險齊備繳納證據償預撥約雙臨時歲養寫聲興歸紀錄陳張劉葉萬億"
)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    duplicated = [k for k, n in Counter(keys).items() if n > 1]
    if duplicated:
        raise ValueError(f"duplicate JSON keys: {duplicated}")
    return dict(pairs)


def _uscc_valid(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        return False
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@pytest.fixture(scope="module")
def raw_text() -> str:
    return CATALOGUE.read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def catalogue(raw_text) -> dict:
    return json.loads(raw_text, object_pairs_hook=_no_duplicate_keys)


@pytest.fixture(scope="module")
def items(catalogue) -> list[dict]:
    return catalogue["items"]


@pytest.fixture(scope="module")
def items_by_code(items) -> dict[str, dict]:
    return {item["code"]: item for item in items}


# ----------------------------------------------------------------- file and top level

def test_file_is_utf8_json_with_two_space_indent(raw_text):
    assert not raw_text.startswith("\ufeff"), "no byte-order mark"
    assert "\\u" not in raw_text, "Chinese must be written as UTF-8, not \\u escapes"
    for number, line in enumerate(raw_text.splitlines(), 1):
        indent = len(line) - len(line.lstrip(" "))
        assert "\t" not in line[: indent + 1], f"line {number}: tab indentation"
        assert indent % 2 == 0, f"line {number}: indentation is not a multiple of 2"
    assert raw_text.splitlines()[1].startswith('  "'), "top-level keys indented by 2 spaces"


def test_top_level_sections(catalogue):
    for key in ("windows", "departments", "items", "bundles"):
        assert isinstance(catalogue.get(key), list) and catalogue[key], f"{key} missing or empty"
    assert set(catalogue) - {"windows", "departments", "items", "bundles"} <= {"_comment", "_comment_en"}


# ----------------------------------------------------------------- windows and departments

def test_exactly_the_seven_windows_of_the_reform_in_order(catalogue):
    windows = catalogue["windows"]
    assert [(w["code"], w["name"]) for w in windows] == WINDOWS
    for window in windows:
        assert set(window) == {"code", "name", "name_en"}
        assert window["name_en"].strip()


def test_departments_are_real_county_bodies(catalogue):
    departments = catalogue["departments"]
    assert len(departments) >= 10
    codes = [d["code"] for d in departments]
    assert len(codes) == len(set(codes)), "department codes unique"
    names = [d["name"] for d in departments]
    assert len(names) == len(set(names)), "department names unique"
    for department in departments:
        assert set(department) == {"code", "name", "name_en"}
        assert re.fullmatch(r"[A-Z]{2,5}", department["code"]), department["code"]
        assert department["name"].startswith(("澄迈县", "国家税务总局澄迈县")), department["name"]
        assert "Chengmai" in department["name_en"], department["name_en"]
    must_have = ["市场监督管理局", "自然资源和规划局", "住房和城乡建设局", "人力资源和社会保障局",
                 "民政局", "公安局", "卫生健康委员会", "教育局", "税务局", "医疗保障局"]
    for suffix in must_have:
        assert any(name.endswith(suffix) for name in names), f"missing department {suffix}"


def test_every_department_handles_at_least_one_item(catalogue, items):
    used = {item["department"] for item in items}
    assert used == {d["code"] for d in catalogue["departments"]}


# ----------------------------------------------------------------- catalogue-wide counts

def test_item_count_and_window_spread(items):
    assert len(items) >= 44
    per_window = Counter(item["window"] for item in items)
    for code, name in WINDOWS:
        assert per_window[code] >= 4, f"window {code} {name} has only {per_window[code]} items"


def test_all_six_plus_one_types_occur_at_least_twice(items):
    per_type = Counter(item["type"] for item in items)
    assert set(per_type) == set(TYPE_ABBREV)
    for type_code in TYPE_ABBREV:
        assert per_type[type_code] >= 2, f"type {type_code} has {per_type[type_code]} items"


def test_item_codes_and_names_unique(items):
    codes = Counter(item["code"] for item in items)
    assert [c for c, n in codes.items() if n > 1] == []
    names = Counter(item["name"] for item in items)
    assert [c for c, n in names.items() if n > 1] == []


def test_deferrable_elicence_and_shared_material_counts(items):
    def count(predicate):
        return sum(1 for item in items if any(predicate(m) for m in item["materials"]))

    assert count(lambda m: m["necessity"] == "deferrable") >= 8, "容缺 materials"
    assert count(lambda m: m["source"] == "e_licence" and m.get("licence_type_code")) >= 8, "e-licences"
    assert count(lambda m: m["source"] == "data_sharing") >= 3, "data sharing"


def test_items_not_available_at_the_kiosk(items):
    assert sum(1 for item in items if not item["kiosk"]) >= 6
    assert sum(1 for item in items if item["kiosk"]) >= len(items) // 2


def test_each_list_datatype_is_used(items):
    used = Counter(field["datatype"] for item in items for field in item["form"])
    for datatype in DATATYPES:
        assert used[datatype] >= 1, f"no form field of datatype {datatype}"


def test_instant_and_one_visit_items_exist(items):
    assert any(item["promised_days"] == 0 for item in items), "即办 items"
    assert any(item["visits"] == 1 for item in items)
    assert sum(1 for item in items if item["visits"] == 0) > len(items) // 2, "最多跑一次: most need no visit"


# ----------------------------------------------------------------- per item

def _item_ids(path=CATALOGUE):
    try:
        return [i["code"] for i in json.loads(path.read_text(encoding="utf-8"))["items"]]
    except Exception:  # the file-level tests report the problem
        return []


@pytest.fixture(params=_item_ids())
def item(request, items_by_code) -> dict:
    return items_by_code[request.param]


def test_item_keys(item):
    keys = set(item)
    assert ITEM_KEYS <= keys, f"missing {ITEM_KEYS - keys}"
    assert keys <= ITEM_KEYS | ITEM_OPTIONAL_KEYS, f"unexpected {keys - ITEM_KEYS - ITEM_OPTIONAL_KEYS}"


def test_item_code_matches_type_and_department(item, catalogue):
    match = ITEM_CODE.fullmatch(item["code"])
    assert match, item["code"]
    assert item["type"] in TYPE_ABBREV
    assert match.group(1) == TYPE_ABBREV[item["type"]]
    assert match.group(2) == item["department"]
    assert match.group(3) != "0000"
    assert item["department"] in {d["code"] for d in catalogue["departments"]}
    assert item["window"] in {code for code, _ in WINDOWS}
    assert item["level"] == "county"


def test_item_audience_and_limits(item):
    audience = item["audience"]
    assert audience and len(audience) == len(set(audience)) and set(audience) <= AUDIENCES
    legal, promised = item["legal_days"], item["promised_days"]
    assert _is_int(legal) and _is_int(promised)
    assert 0 <= promised <= legal, f"promised {promised} > legal {legal}"
    assert legal <= 250, "time limits are working days within a year"
    assert item["visits"] in (0, 1) and _is_int(item["visits"])


def test_item_fees(item):
    fees = item["fees"]
    assert isinstance(fees, list) and fees
    for fee in fees:
        assert FEE_KEYS <= set(fee) <= FEE_KEYS | FEE_OPTIONAL_KEYS
        assert all(isinstance(fee[k], str) for k in fee)
        assert fee["name"].strip() and fee["standard"].strip()


def test_item_channels_and_kiosk(item):
    channels = item["channels"]
    assert channels and len(channels) == len(set(channels)) and set(channels) <= CHANNELS
    assert isinstance(item["kiosk"], bool)
    assert ("kiosk" in channels) == item["kiosk"], "kiosk flag and kiosk channel agree"
    if item["kiosk"]:
        assert "where_instead" not in item and "where_instead_en" not in item
    else:
        assert item.get("where_instead", "").strip(), "kiosk false needs where_instead"
        assert item.get("where_instead_en", "").strip(), "kiosk false needs where_instead_en"
        assert item["where_instead"].startswith("请"), "tells the applicant where to go"
        window_no = re.search(r"(\d)号综合窗口", item["where_instead"])
        if window_no:
            assert f"W{window_no.group(1)}" == item["window"], "sends the applicant to the item's own window"
            assert f"No. {window_no.group(1)}" in item["where_instead_en"]
        assert item["visits"] == 1, "an item that needs the counter needs one visit"
    if "delivery" in channels:
        assert item["result"]["type"] in ("licence", "certificate", "approval"), "only documents are posted"


def test_item_result(item):
    result = item["result"]
    assert RESULT_KEYS <= set(result) <= RESULT_KEYS | {"licence_type_code"}
    assert result["type"] in RESULT_TYPES
    assert result["name"].strip() and result["name_en"].strip()
    if "licence_type_code" in result:
        assert result["type"] in ("licence", "certificate")
        _check_licence_type_code(result["licence_type_code"])
    if item["type"] == "01":
        assert result["type"] in ("licence", "approval", "certificate", "record")


def test_item_conditions(item):
    conditions, conditions_en = item["conditions"], item["conditions_en"]
    assert isinstance(conditions, list) and conditions
    assert len(conditions_en) == len(conditions)
    assert all(c.strip() for c in conditions + conditions_en)


def test_item_materials(item):
    materials = item["materials"]
    assert materials, "every item lists at least one material"
    codes = [m["code"] for m in materials]
    assert len(codes) == len(set(codes)), f"material codes unique in {item['code']}"
    for material in materials:
        keys = set(material)
        assert MATERIAL_KEYS <= keys <= MATERIAL_KEYS | {"licence_type_code"}, material["code"]
        assert re.fullmatch(r"M\d{2}", material["code"])
        assert material["necessity"] in NECESSITY
        forms = material["forms"]
        assert forms and len(forms) == len(set(forms)) and set(forms) <= MATERIAL_FORMS
        assert material["source"] in SOURCES
        if material["source"] == "e_licence":
            _check_licence_type_code(material.get("licence_type_code", ""))
            assert "electronic" in forms
        else:
            assert "licence_type_code" not in material
        if material["source"] == "data_sharing":
            assert "electronic" in forms
        assert _is_int(material["copies"]) and 1 <= material["copies"] <= 10
        assert isinstance(material["blank_form"], bool) and isinstance(material["sample"], bool)
    assert any(m["necessity"] == "required" for m in materials) or all(
        m["necessity"] != "deferrable" for m in materials
    ), "容缺 only alongside required materials"


def test_item_form(item):
    form = item["form"]
    assert 2 <= len(form) <= 6, f"{item['code']} has {len(form)} fields"
    codes = [f["code"] for f in form]
    assert len(codes) == len(set(codes))
    for field in form:
        keys = set(field)
        assert FIELD_KEYS <= keys <= FIELD_KEYS | {"values"}, field["code"]
        assert re.fullmatch(r"[a-z][a-z0-9_]*", field["code"])
        assert field["datatype"] in DATATYPES
        assert field["format"] in FORMATS
        assert isinstance(field["required"], bool)
        if field["format"] in ("phone", "id_number", "credit_code"):
            assert field["datatype"] == "string"
        if field["format"] == "date":
            assert field["datatype"] == "datetime"
        if field["datatype"] in LIST_DATATYPES:
            values = field.get("values")
            assert values and len(values) >= 2, f"{field['code']} needs values"
            keys_ = [v["key"] for v in values]
            assert len(keys_) == len(set(keys_))
            for value in values:
                assert set(value) == {"key", "name", "name_en"}
                assert value["key"] and value["name"].strip() and value["name_en"].strip()
        else:
            assert "values" not in field
    assert any(f["required"] for f in form)


def _check_licence_type_code(code: str):
    assert isinstance(code, str) and len(code) == 21, f"licence type code {code!r} must be 21 chars"
    assert LICENCE_TYPE_CODE.fullmatch(code), code
    assert _uscc_valid(code[:18]), f"{code}: first 18 chars must be the defining body's credit code"


# ----------------------------------------------------------------- e-licences across items

def test_licence_type_codes_consistent(items):
    by_result_name: dict[str, set[str]] = {}
    by_code: dict[str, set[str]] = {}
    for item in items:
        result = item["result"]
        if "licence_type_code" in result:
            by_result_name.setdefault(result["name"], set()).add(result["licence_type_code"])
            by_code.setdefault(result["licence_type_code"], set()).add(result["name"])
    assert {n: c for n, c in by_result_name.items() if len(c) > 1} == {}, "one code per licence"
    assert {c: n for c, n in by_code.items() if len(n) > 1} == {}, "one licence per code"
    material_codes = {m["licence_type_code"] for item in items for m in item["materials"]
                      if m["source"] == "e_licence"}
    for item in items:
        for material in item["materials"]:
            if material["source"] == "e_licence" and material["name"] in by_result_name:
                assert {material["licence_type_code"]} == by_result_name[material["name"]], material["name"]
    assert len(material_codes) >= 5, "several kinds of e-licence replace paper"


# ----------------------------------------------------------------- bundles

def test_bundles(catalogue, items_by_code):
    bundles = catalogue["bundles"]
    assert len(bundles) >= 3
    codes = [b["code"] for b in bundles]
    assert len(codes) == len(set(codes))
    names = {b["name"] for b in bundles}
    assert {"开办企业一件事", "新生儿出生一件事"} <= names
    for bundle in bundles:
        assert set(bundle) == {"code", "name", "name_en", "window", "items", "description", "description_en"}
        assert re.fullmatch(r"B\d{2}", bundle["code"])
        assert bundle["window"] in {code for code, _ in WINDOWS}
        assert bundle["name"].endswith("一件事")
        members = bundle["items"]
        assert len(members) >= 2 and len(members) == len(set(members))
        missing = [code for code in members if code not in items_by_code]
        assert missing == [], f"{bundle['code']} references unknown items {missing}"
        departments = {items_by_code[code]["department"] for code in members}
        assert len(departments) >= 2, f"{bundle['code']} must span departments"
        assert bundle["window"] in {items_by_code[code]["window"] for code in members}, \
            f"{bundle['code']} is accepted at the window of one of its items"
        assert CJK.search(bundle["description"]) and bundle["description_en"].strip()


def test_named_bundles_contain_the_expected_items(catalogue, items_by_code):
    bundles = {b["name"]: b for b in catalogue["bundles"]}

    def departments(name):
        return {items_by_code[c]["department"] for c in bundles[name]["items"]}

    def item_names(name):
        return " ".join(items_by_code[c]["name"] for c in bundles[name]["items"])

    enterprise = item_names("开办企业一件事")
    assert "企业设立登记" in enterprise and "公章" in enterprise
    assert {"SCJG", "GA", "SW", "RS"} <= departments("开办企业一件事")
    newborn = item_names("新生儿出生一件事")
    assert "出生医学证明" in newborn and "出生登记" in newborn and "医疗保险" in newborn
    assert {"WJ", "GA", "YB"} <= departments("新生儿出生一件事")
    assert len(departments("开办企业一件事")) >= 3 and len(departments("新生儿出生一件事")) >= 3


# ----------------------------------------------------------------- language

def _walk(node, path="$"):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")


def test_english_present_wherever_chinese_is(catalogue):
    problems = []
    for path, node in _walk(catalogue):
        for key, value in node.items():
            if key.endswith("_en"):
                continue
            has_cjk = (isinstance(value, str) and CJK.search(value)) or (
                isinstance(value, list) and any(isinstance(v, str) and CJK.search(v) for v in value))
            if not has_cjk:
                continue
            english = node.get(f"{key}_en")
            if isinstance(value, str):
                if not isinstance(english, str) or not english.strip():
                    problems.append(f"{path}.{key}_en missing")
            else:
                if not isinstance(english, list) or len(english) != len(value) or not all(
                        isinstance(e, str) and e.strip() for e in english):
                    problems.append(f"{path}.{key}_en missing or wrong length")
    assert problems == []


def test_english_text_has_no_chinese_and_chinese_names_are_chinese(catalogue):
    problems = []
    for path, node in _walk(catalogue):
        for key, value in node.items():
            values = value if isinstance(value, list) else [value]
            if key.endswith("_en"):
                problems += [f"{path}.{key}: {v}" for v in values if isinstance(v, str) and CJK.search(v)]
        if "name_en" in node and path != "$":
            if not CJK.search(node.get("name", "")):
                problems.append(f"{path}.name is not Chinese: {node.get('name')!r}")
        if "label_en" in node and not CJK.search(node.get("label", "")):
            problems.append(f"{path}.label is not Chinese")
    assert problems == []


def test_chinese_is_simplified(raw_text):
    found = sorted(set(raw_text) & TRADITIONAL)
    assert found == [], f"traditional characters: {found}"
