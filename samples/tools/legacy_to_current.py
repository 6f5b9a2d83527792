#!/usr/bin/env python3
"""Derives a Konfuzio SDK project folder in the current layout (SDK 0.3.x, API v3) from one in the legacy layout.

Written from the shapes the SDK's export writes and its offline loader reads (konfuzio-ai/konfuzio-sdk,
konfuzio_sdk/data.py: Project.get_categories / init_or_update_document / Document.annotation_sets and
get_annotations). It is how samples/konfuzio-project-46-current was made, independently of the service's own
Konfuzio writer, so that the tests compare two separate readings of the SDK's shapes:

    python3 samples/tools/legacy_to_current.py samples/konfuzio-project-46 samples/konfuzio-project-46-current/data_46

Files other than the JSON5 ones (document.txt, bbox.zip, page images, regex/) are copied unchanged.
"""
import json
import shutil
import sys
from pathlib import Path


def dump(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    # The SDK writes its JSON5 files as plain JSON, sorted and indented.
    path.write_text(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def label_v3(label):
    # v3 labels carry 'name' and 'data_type'; 'text' and 'project' would break the SDK's Label(**dict).
    return {
        "id": label["id"],
        "name": label["text"],
        "api_name": label.get("api_name"),
        "description": label.get("description"),
        "data_type": label.get("get_data_type_display"),
        "has_multiple_top_candidates": label.get("has_multiple_top_candidates", False),
        "threshold": label.get("threshold"),
    }


def categories_v3(labels, label_sets, project_id):
    by_id = {label["id"]: label for label in labels}
    categories = [s for s in label_sets if s.get("is_default")]
    result = []
    for category in categories:
        # A non-default label set names its categories in default_section_labels; a default one is its own category.
        members = [category] + [s for s in label_sets if not s.get("is_default") and category["id"] in s.get("default_section_labels", [])]
        schema = [{
            "id": s["id"],
            "name": s["name"],
            "api_name": s.get("name_clean"),
            "has_multiple_annotation_sets": s.get("has_multiple_sections", False),
            "labels": [label_v3(by_id[i]) for i in s.get("labels", [])],
        } for s in members]
        result.append({"id": category["id"], "name": category["name"], "api_name": category.get("name_clean"), "project": project_id, "schema": schema})
    return result


def document_v3(meta):
    document = {k: v for k, v in meta.items() if k not in ("category_template", "status", "data_file")}
    document["category"] = meta.get("category_template")
    return document


def annotation_set_v3(legacy, sets_by_id):
    label_set = sets_by_id[legacy["section_label"]]
    return {
        "id": legacy["id"],
        "label_set": {"id": label_set["id"], "name": label_set["name"], "api_name": label_set.get("name_clean"),
                      "has_multiple_annotation_sets": label_set.get("has_multiple_sections", False)},
    }


def annotation_v3(legacy, sets_by_id):
    moved = ("label", "label_text", "label_data_type", "label_threshold", "section", "section_label_id", "section_label_text",
             "bboxes", "accuracy", "start_offset", "end_offset")
    annotation = {k: v for k, v in legacy.items() if k not in moved}
    label_set = sets_by_id[legacy["section_label_id"]]
    annotation["label"] = {"id": legacy["label"], "name": legacy["label_text"]}
    annotation["label_set"] = {"id": label_set["id"], "name": label_set["name"]}
    annotation["annotation_set"] = legacy["section"]
    annotation["span"] = legacy["bboxes"]
    annotation["confidence"] = legacy["accuracy"]
    return annotation


def main(source, target):
    source, target = Path(source), Path(target)
    if target.exists():
        shutil.rmtree(target)
    labels = json.loads((source / "labels.json5").read_text(encoding="utf-8"))
    label_sets = json.loads((source / "label_sets.json5").read_text(encoding="utf-8"))
    meta = json.loads((source / "documents_meta.json5").read_text(encoding="utf-8"))
    project_id = labels[0].get("project") if labels else None
    sets_by_id = {s["id"]: s for s in label_sets}

    dump(target / "categories_and_label_data.json5", categories_v3(labels, label_sets, project_id))
    dump(target / "documents_meta.json5", sorted((document_v3(d) for d in meta), key=lambda d: d["id"]))
    shutil.copytree(source / "regex", target / "regex")
    for folder in sorted((source / "documents").iterdir()):
        out = target / "documents" / folder.name
        for file in sorted(folder.iterdir()):
            if file.name == "annotation_sets.json5":
                sets = [annotation_set_v3(s, sets_by_id) for s in json.loads(file.read_text(encoding="utf-8"))]
                if sets:  # the SDK's loader fails on an empty list but accepts a missing file
                    dump(out / file.name, sets)
            elif file.name == "annotations.json5":
                dump(out / file.name, [annotation_v3(a, sets_by_id) for a in json.loads(file.read_text(encoding="utf-8"))])
            else:
                out.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, out / file.name)


if __name__ == "__main__":
    main(*sys.argv[1:3])
