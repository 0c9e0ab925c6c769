#!/usr/bin/env python3
"""Comparison side of the training-equivalence bench (bench/equivalence/run.sh calls it).

  compare.py logs --cases cases.tsv --out DIR [--only "a b"]   per-step comparison, table, DIR/results.json
  compare.py configs --cases cases.tsv --out DIR [--only ...]  resolved settings that differ, DIR/configs/*.diff.json
  compare.py edit --script SCRIPT --edits=EDITS                apply a case's edits to a migrated copy
  compare.py self-test                                         check the parser and the verdicts on testdata/

Criteria for a case expected to train the same ('equal'): both runs log all STEPS steps, and at every
step |mlm - bridge| / |mlm| <= REL_TOLERANCE for `lm loss` and for `grad norm`, and at least
MIN_IDENTICAL steps print identical values for both. A negative control ('differ') passes when those
criteria fail.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import tempfile

STEPS = 20
REL_TOLERANCE = 1e-3
MIN_IDENTICAL = 18
METRICS = ("lm loss", "grad norm")
SKIPPED = re.compile(r"number of skipped iterations:\s+[1-9]")
ALSO_PARSED = ("learning rate", "load_balancing_loss", "number of skipped iterations", "number of nan iterations")

ITERATION = re.compile(r"\biteration\s+(\d+)\s*/\s*(\d+)\s*\|")
NUMBER = r"([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|nan|inf))"


def field_pattern(name: str) -> re.Pattern:
    return re.compile(r"(?:^|\|)\s*" + re.escape(name) + r"\s*:\s*" + NUMBER + r"\s*(?:\||$)")


FIELDS = {name: field_pattern(name) for name in (*METRICS, *ALSO_PARSED)}


def parse_log(path: str) -> dict[int, dict]:
    """Per-step values from a Megatron-LM or Bridge training log: {step: {name: (printed, float)}}."""
    steps: dict[int, dict] = {}
    if not os.path.exists(path):
        return steps
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = ITERATION.search(line)
            if not match:
                continue
            if "lm loss" not in line:
                # An iteration the loss scaler skipped (fp16 overflow) logs no loss and no grad norm.
                if SKIPPED.search(line):
                    steps[int(match.group(1))] = {"skipped": True}
                continue
            values = {}
            tail = line[match.end() - 1 :]
            for name, pattern in FIELDS.items():
                found = pattern.search(tail)
                if found:
                    values[name] = (found.group(1), float(found.group(1)))
            steps[int(match.group(1))] = values
    return steps


# Megatron-LM 0.19 (megatron/training/training.py, training_log: `should_reset = not is_first_iteration`)
# logs its first iteration without resetting the loss accumulators, so with --log-interval 1 the
# `lm loss` it prints at step 2 is the mean of steps 1 and 2; Bridge resets after every log. The
# comparison therefore sets Megatron-LM's printed step 2 against the mean of Bridge's steps 1 and 2
# (printed the same way) for accumulated values; grad norm and learning rate are not accumulated.
ACCUMULATED = ("lm loss", "load_balancing_loss")
MEGATRON_LM_RUNNING_MEAN_STEP = 2


def bridge_as_megatron_lm_logs(bridge_steps: dict) -> dict:
    """Bridge's per-step values restated in Megatron-LM's logging convention (see ACCUMULATED)."""
    restated = {step: dict(values) for step, values in bridge_steps.items()}
    step = MEGATRON_LM_RUNNING_MEAN_STEP
    if step in bridge_steps and step - 1 in bridge_steps:
        for name in ACCUMULATED:
            if name in bridge_steps[step] and name in bridge_steps[step - 1]:
                mean = (bridge_steps[step][name][1] + bridge_steps[step - 1][name][1]) / 2
                restated[step][name] = (f"{mean:.6E}", float(f"{mean:.6E}"))
    return restated


def relative_difference(reference: float, other: float) -> float:
    if math.isnan(reference) or math.isnan(other):
        return math.inf
    if reference == other:
        return 0.0
    return abs(reference - other) / abs(reference) if reference != 0 else math.inf


def compare_case(mlm_steps: dict, bridge_steps: dict, restate: bool = True) -> dict:
    as_logged = bridge_steps
    if restate:
        bridge_steps = bridge_as_megatron_lm_logs(bridge_steps)
    rows = []
    problems = []
    for step in range(1, STEPS + 1):
        mlm, bridge = mlm_steps.get(step), bridge_steps.get(step)
        if mlm is None or bridge is None:
            problems.append(f"step {step} missing in the {'Megatron-LM' if mlm is None else 'Bridge'} log")
            continue
        if mlm.get("skipped") or bridge.get("skipped"):
            # Both sides skipping the step (a loss-scale overflow) is the same behaviour; one side
            # skipping it is a difference, not a missing step.
            both = bool(mlm.get("skipped") and bridge.get("skipped"))
            rows.append({"step": step, "skipped": {"megatron_lm": bool(mlm.get("skipped")), "bridge": bool(bridge.get("skipped"))},
                         "relative_difference": {name: 0.0 if both else math.inf for name in METRICS}, "identical": both})
            if not both:
                problems.append(f"step {step} skipped (loss-scale overflow) in the {'Megatron-LM' if mlm.get('skipped') else 'Bridge'} log only")
            continue
        row = {"step": step, "megatron_lm": {}, "bridge": {}, "relative_difference": {}}
        identical = True
        for name in (*METRICS, *ALSO_PARSED):
            for side, values in (("megatron_lm", mlm), ("bridge", bridge)):
                if name in values:
                    row[side][name] = {"printed": values[name][0], "value": values[name][1]}
            if bridge.get(name) != as_logged.get(step, {}).get(name) and name in as_logged.get(step, {}):
                row["bridge"][name]["as_logged"] = as_logged[step][name][0]
                row["bridge"][name]["note"] = "mean of Bridge's steps 1 and 2, as Megatron-LM logs step 2"
        for name in METRICS:
            if name not in mlm or name not in bridge:
                problems.append(f"step {step}: no `{name}` in the {'Megatron-LM' if name not in mlm else 'Bridge'} log")
                identical = False
                continue
            row["relative_difference"][name] = relative_difference(mlm[name][1], bridge[name][1])
            identical = identical and mlm[name][1] == bridge[name][1]
        row["identical"] = identical
        rows.append(row)
    largest = {name: max((row["relative_difference"].get(name, math.inf) for row in rows), default=math.inf) for name in METRICS}
    identical_steps = sum(1 for row in rows if row["identical"])
    within = all(value <= REL_TOLERANCE for value in largest.values())
    first_difference = next((row["step"] for row in rows if not row["identical"]), None)
    same = not problems and len(rows) == STEPS and within and identical_steps >= MIN_IDENTICAL
    return {
        "steps": rows,
        "steps_compared": len(rows),
        "identical_steps": identical_steps,
        "first_difference_at_step": first_difference,
        "largest_relative_difference": largest,
        "problems": problems,
        "trains_the_same": same,
    }


def read_cases(path: str, only: str | None) -> list[dict]:
    wanted = set(only.split()) if only else None
    cases = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            if len(words) != 5:
                raise SystemExit(f"{path}: expected 5 columns, got {len(words)}: {line.strip()}")
            name, script, options, edits, expect = words
            if expect not in ("equal", "differ", "diagnose"):
                raise SystemExit(f"{path}: {name}: expect must be equal, differ or diagnose, not {expect!r}")
            if wanted is None or name in wanted:
                cases.append({"case": name, "script": script, "migrate_options": options, "edits": edits, "expect": expect})
    return cases


def format_float(value: float) -> str:
    return "inf" if math.isinf(value) else f"{value:.1e}" if value else "0"


def command_logs(arguments) -> int:
    cases = read_cases(arguments.cases, arguments.only)
    logs = os.path.join(arguments.out, "logs")
    results = []
    for case in cases:
        label = case["script"][: -len(".sh")] if case["script"].endswith(".sh") else case["script"]
        mlm_log = os.path.join(logs, f"{label}.megatron-lm.log")
        bridge_log = os.path.join(logs, f"{case['case']}.bridge.log")
        compared = compare_case(parse_log(mlm_log), parse_log(bridge_log))
        if case["expect"] == "equal":
            passed = compared["trains_the_same"]
        elif case["expect"] == "differ":
            passed = not compared["trains_the_same"] and not any("missing" in p for p in compared["problems"])
        else:
            passed = None
        results.append({**case, "megatron_lm_log": mlm_log, "bridge_log": bridge_log, **compared, "passed": passed})

    header = f"{'case':<22} {'expect':<8} {'identical':>9} {'max rel loss':>12} {'max rel gnorm':>13} {'1st diff':>8}  result"
    print(header)
    print("-" * len(header))
    for result in results:
        largest = result["largest_relative_difference"]
        outcome = {True: "PASS", False: "FAIL", None: "(diagnostic)"}[result["passed"]]
        verdict = "same" if result["trains_the_same"] else "differs"
        print(
            f"{result['case']:<22} {result['expect']:<8} {result['identical_steps']:>4}/{STEPS:<4} "
            f"{format_float(largest['lm loss']):>12} {format_float(largest['grad norm']):>13} "
            f"{str(result['first_difference_at_step'] or '-'):>8}  {verdict}: {outcome}"
        )
        for problem in result["problems"][:3]:
            print(f"    {problem}")
    verdict_cases = [result for result in results if result["passed"] is not None]
    overall = bool(verdict_cases) and all(result["passed"] for result in verdict_cases)
    environment_path = os.path.join(arguments.out, "environment.json")
    environment = json.load(open(environment_path, encoding="utf-8")) if os.path.exists(environment_path) else None
    summary = {
        "criteria": {"steps": STEPS, "relative_tolerance": REL_TOLERANCE, "min_identical_steps": MIN_IDENTICAL},
        "environment": environment,
        "passed": overall,
        "cases": results,
    }
    with open(os.path.join(arguments.out, "results.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=1)
    print(f"\nverdict: {'PASS' if overall else 'FAIL'} ({sum(1 for r in verdict_cases if r['passed'])}/{len(verdict_cases)} cases as expected); "
          f"every value in {os.path.join(arguments.out, 'results.json')}")
    return 0 if overall else 1


def command_configs(arguments) -> int:
    cases = read_cases(arguments.cases, arguments.only)
    folder = os.path.join(arguments.out, "configs")
    status = 0
    for case in cases:
        paths = (os.path.join(folder, f"{case['script']}.megatron-lm.json"), os.path.join(folder, f"{case['case']}.bridge.json"))
        if not all(os.path.exists(path) for path in paths):
            print(f"{case['case']}: not resolved (see the logs in {folder})")
            status = 1
            continue
        mlm, bridge = (json.load(open(path, encoding="utf-8"))["config"] for path in paths)
        shared = sorted(set(mlm) & set(bridge))
        differing = {key: {"megatron_lm": mlm[key], "bridge": bridge[key]} for key in shared if mlm[key] != bridge[key]}
        report = {
            "case": case["case"],
            "shared_settings": len(shared),
            "differing": differing,
            "only_megatron_lm": sorted(set(mlm) - set(bridge)),
            "only_bridge": {key: bridge[key] for key in sorted(set(bridge) - set(mlm))},
        }
        with open(os.path.join(folder, f"{case['case']}.diff.json"), "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=1)
        print(f"== {case['case']}: {len(differing)} of {len(shared)} shared settings differ")
        for key, values in differing.items():
            print(f"   {key}: megatron-lm={values['megatron_lm']!r} bridge={values['bridge']!r}"[:220])
    return status


RUNNER_OPTIONS = re.compile(r"run_recipe\.py\"?\s+--recipe\s+\S+(?:\s+--dataset\s+\S+)?")


def replace_override(text: str, edit: str) -> str:
    """'~key=value': the override word `key=...` the migration wrote (quoted or not) becomes `key=value`."""
    key = edit[1:].split("=", 1)[0]
    pattern = re.compile(r'(?<![\w.])"' + re.escape(key) + r'=[^"]*"|(?<![\w."])' + re.escape(key) + r"=[^\s\"']+")
    replaced, count = pattern.subn(lambda _: edit[1:], text)
    if count == 0:
        raise SystemExit(f"edit: no override {key}=... in the migrated script")
    return replaced


def apply_edits(text: str, edits: str) -> str:
    """'+key=value': a line in the pinned MEGATRON_LM_DEFAULTS array (or, without one, a word right
    after run_recipe.py's --recipe/--dataset options); '-key': delete the pinned line of key;
    '~key=value': replace the override of key that the migration wrote."""
    for edit in [edit for edit in edits.split(",") if edit.startswith("~")]:
        text = replace_override(text, edit)
    edits = ",".join(edit for edit in edits.split(",") if not edit.startswith("~"))
    if not edits:
        return text
    lines = text.split("\n")
    start = next((index for index, line in enumerate(lines) if line.strip() == "MEGATRON_LM_DEFAULTS=("), None)
    if start is None:
        for edit in edits.split(","):
            launch = next((index for index, line in enumerate(lines) if RUNNER_OPTIONS.search(line)), None)
            if not (edit.startswith("+") and "=" in edit) or launch is None:
                raise SystemExit(f"edit: {edit!r} needs a MEGATRON_LM_DEFAULTS=( ... ) array, and the script has none")
            found = RUNNER_OPTIONS.search(lines[launch])
            lines[launch] = lines[launch][: found.end()] + " " + edit[1:] + lines[launch][found.end() :]
        return "\n".join(lines)
    end = next(index for index in range(start, len(lines)) if lines[index].strip() == ")")
    for edit in edits.split(","):
        if edit.startswith("+") and "=" in edit:
            lines.insert(start + 1, f"    {edit[1:]}")
            end += 1
        elif edit.startswith("-"):
            key = edit[1:]
            matching = [index for index in range(start + 1, end) if lines[index].strip().startswith(key + "=")]
            if not matching:
                raise SystemExit(f"edit: no pinned line for {key} in MEGATRON_LM_DEFAULTS")
            for index in reversed(matching):
                del lines[index]
                end -= 1
        else:
            raise SystemExit(f"edit: {edit!r} is neither +key=value nor -key")
    return "\n".join(lines)


def command_edit(arguments) -> int:
    with open(arguments.script, encoding="utf-8") as handle:
        text = handle.read()
    with open(arguments.script, "w", encoding="utf-8") as handle:
        handle.write(apply_edits(text, arguments.edits))
    return 0


def log_line(step: int, loss: str, grad_norm: str, bridge_style: bool) -> str:
    if bridge_style:
        return (f"Step Time : 0.1s GPU utilization: 1.0MODEL_TFLOP/s/GPU\n [2026-01-01 00:00:00] iteration {step:>8}/{STEPS:>8} | "
                f"consumed samples: {step * 8:>12} | elapsed time per iteration (ms): 100.0 | learning rate: 1.000000E-04 | "
                f"global batch size: 8 | lm loss: {loss} | loss scale: 1.0 | grad norm: {grad_norm} | "
                "number of skipped iterations:   0 | number of nan iterations:   0 |")
    return (f" [2026-01-01 00:00:00] iteration {step:>8}/{STEPS:>8} | consumed samples: {step * 8:>12} | "
            f"elapsed time per iteration (ms): 100.0 | learning rate: 1.000000E-04 | global batch size: 8 | "
            f"lm loss: {loss} | loss scale: 1.0 | grad norm: {grad_norm} | number of skipped iterations:   0 | "
            "number of nan iterations:   0 |")


def command_self_test(_arguments) -> int:
    """The parser and the verdicts, on logs written here: one identical pair, one that drifts."""
    failures = []
    with tempfile.TemporaryDirectory() as folder:
        def write(name, losses, norms, bridge_style):
            path = os.path.join(folder, name)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write("> building GPT model ...\n")
                for step, (loss, norm) in enumerate(zip(losses, norms), start=1):
                    if step == 2 and not bridge_style:  # Megatron-LM's step 2: mean of steps 1 and 2
                        loss = f"{(float(losses[0]) + float(loss)) / 2:.6E}"
                    handle.write(log_line(step, loss, norm, bridge_style) + "\n")
            return path

        losses = [f"{9.0 - step * 0.01:.6E}" for step in range(STEPS)]
        norms = [f"{3.0 + step * 0.1:.3f}" for step in range(STEPS)]
        reference = parse_log(write("a.log", losses, norms, False))
        if len(reference) != STEPS or reference[1]["lm loss"][0] != losses[0] or reference[20]["grad norm"][1] != float(norms[19]):
            failures.append(f"parse: got {reference.get(1)} for step 1")
        if compare_case(reference, parse_log(write("b0.log", losses, norms, True)), restate=False)["identical_steps"] != STEPS - 1:
            failures.append("without restating, Megatron-LM's running mean at step 2 must differ from Bridge's step 2")
        same = compare_case(reference, parse_log(write("b.log", losses, norms, True)))
        if not same["trains_the_same"] or same["identical_steps"] < STEPS - 1:
            failures.append(f"identical runs not judged the same: {same['identical_steps']} identical, {same['problems']}")
        nudged = list(losses)
        nudged[5] = f"{float(losses[5]) * (1 + 1.5e-4):.6E}"
        one_off = compare_case(reference, parse_log(write("c.log", nudged, norms, True)))
        if not one_off["trains_the_same"] or one_off["identical_steps"] > STEPS - 1:
            failures.append("one more step off by 1.5e-4 must still count as the same (18/20 identical)")
        drift = [f"{float(loss) * (1 + 2e-3):.6E}" for loss in losses]
        drifted = compare_case(reference, parse_log(write("d.log", drift, norms, True)))
        if drifted["trains_the_same"] or drifted["largest_relative_difference"]["lm loss"] < 1e-3:
            failures.append("a 2e-3 drift in every loss must fail")
        three = list(losses)
        for step in (3, 7, 11):
            three[step] = f"{float(losses[step]) * (1 + 1e-5):.6E}"
        if compare_case(reference, parse_log(write("e.log", three, norms, True)))["trains_the_same"]:
            failures.append("three differing steps (17/20 identical) must fail")
        short = compare_case(reference, parse_log(write("f.log", losses[:10], norms[:10], True)))
        if short["trains_the_same"] or not short["problems"]:
            failures.append("a run that stops after 10 steps must fail")
        skipping = os.path.join(folder, "g.log")
        with open(skipping, "w", encoding="utf-8") as handle:
            for step in range(1, 4):  # an fp16 run whose loss scaler skips its first three steps
                handle.write(f" [2026-01-01 00:00:00] iteration {step:>8}/{STEPS:>8} | loss scale: 4294967296.0 | number of skipped iterations:   1 | number of nan iterations:   0 |\n")
            for step in range(4, STEPS + 1):
                handle.write(log_line(step, losses[step - 1], norms[step - 1], True) + "\n")
        skipped = compare_case(reference, parse_log(skipping))
        if skipped["trains_the_same"] or skipped["identical_steps"] != STEPS - 3 or any("missing" in problem for problem in skipped["problems"]):
            failures.append(f"skipped steps on one side are differences, not missing steps: {skipped['identical_steps']} identical, {skipped['problems'][:2]}")
    edited = apply_edits("x\nMEGATRON_LM_DEFAULTS=(\n    optimizer.adam_beta2=0.999\n    mixed_precision=null\n)\ny", "-optimizer.adam_beta2,+model.a=1")
    if edited != "x\nMEGATRON_LM_DEFAULTS=(\n    model.a=1\n    mixed_precision=null\n)\ny":
        failures.append(f"edit: got {edited!r}")
    no_array = apply_edits('torchrun "$B/run_recipe.py" --recipe vanilla --dataset mock a=1 \\\n  b=2', "+c=3")
    if no_array != 'torchrun "$B/run_recipe.py" --recipe vanilla --dataset mock c=3 a=1 \\\n  b=2':
        failures.append(f"edit without the pinned array: got {no_array!r}")
    replaced = apply_edits('a "mixed_precision={_target_:x,fp16:true,b:{_target_:y}}" rerun.c=false', "~mixed_precision=fp16_mixed")
    if replaced != "a mixed_precision=fp16_mixed rerun.c=false":
        failures.append(f"edit ~: got {replaced!r}")
    for failure in failures:
        print(f"self-test: FAIL: {failure}")
    print("self-test: " + ("ok" if not failures else f"{len(failures)} failures"))
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("logs", "configs"):
        command = commands.add_parser(name)
        command.add_argument("--cases", required=True)
        command.add_argument("--out", required=True)
        command.add_argument("--only")
    edit = commands.add_parser("edit")
    edit.add_argument("--script", required=True)
    edit.add_argument("--edits", required=True, help="pass as --edits=... (edits may start with '-')")
    commands.add_parser("self-test")
    arguments = parser.parse_args()
    return {"logs": command_logs, "configs": command_configs, "edit": command_edit, "self-test": command_self_test}[arguments.command](arguments)


if __name__ == "__main__":
    sys.exit(main())
