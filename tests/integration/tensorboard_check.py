"""Decodes the event files `salvo tensorboard` wrote and checks every record and field
against the runs they came from. Used by tensorboard.sh.

  tensorboard_check.py PB2_DIR LOGDIR RUNS_JSON OUTPUT_DIR EXPECTED_JSON

PB2_DIR holds tensorboard_events_pb2.py (protoc's output for tensorboard_events.proto);
RUNS_JSON is `salvo runs --json` of the runs written (trials and plain runs, not
batches); OUTPUT_DIR/<id> is each run's output (`salvo cat`), whose `key: value` and
`key: value (step N)` lines give the scalars to expect (lines echoing a flag
aside); EXPECTED_JSON gives what a test
knows of the experiment: {"description", "hparams": {NAME: {"type", "interval" or
"discrete"}}, "metrics": [...], "now": [LOW, HIGH]} (the bounds of the write time).

Framing and CRCs are checked with a CRC-32C written here; messages are parsed with
python3-protobuf and must have no fields beyond the ones tensorboard_events.proto
declares. Prints one "ok:"/"FAIL:" line per check group and a closing
"checked N files, N records, N failures" line.
"""

import json
import math
import os
import re
import socket
import struct
import sys

sys.path.insert(0, sys.argv[1])
import tensorboard_events_pb2 as pb  # noqa: E402

LOGDIR, RUNS_JSON, OUTPUT_DIR, EXPECTED_JSON = sys.argv[2:6]
failures = []
records_read = 0


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL: " + what)
    return ok


def crc32c_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


TABLE = crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc = TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283, "the test's own CRC-32C"


def read_records(path):
    """The payloads of a TFRecord file, checking each length and CRC."""
    global records_read
    data = open(path, "rb").read()
    pos, out = 0, []
    while pos < len(data):
        if not check(len(data) - pos >= 12, "%s: a record header at byte %d" % (path, pos)):
            break
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        check(length_crc == masked(header), "%s: length CRC at byte %d" % (path, pos))
        body = data[pos + 12:pos + 12 + length]
        end = pos + 12 + length + 4
        if not check(end <= len(data), "%s: record at byte %d is whole" % (path, pos)):
            break
        (body_crc,) = struct.unpack("<I", data[end - 4:end])
        check(body_crc == masked(body), "%s: data CRC at byte %d" % (path, pos))
        out.append(body)
        records_read += 1
        pos = end
    return out


def no_unknown_fields(message, where):
    """Recursively: nothing in `message` beyond the declared fields."""
    check(len(message.UnknownFields()) == 0,
          "%s: %s has undeclared fields" % (where, message.DESCRIPTOR.name))
    for field, value in message.ListFields():
        if field.type != field.TYPE_MESSAGE:
            continue
        if field.message_type.GetOptions().map_entry:
            values = value.values() if field.message_type.fields_by_name["value"].message_type else []
        elif field.label == field.LABEL_REPEATED:
            values = value
        else:
            values = [value]
        for v in values:
            no_unknown_fields(v, where)


def parse(cls, data, where):
    message = cls()
    message.ParseFromString(data)
    no_unknown_fields(message, where)
    return message


def hparams_event(data, tag, where):
    """The HParamsPluginData of a Summary event under `tag`, checking the wrapping."""
    event = parse(pb.Event, data, where)
    check(event.WhichOneof("what") == "summary", "%s: %s is a summary" % (where, tag))
    check(event.step == 0, "%s: %s has no step" % (where, tag))
    check(len(event.summary.value) == 1, "%s: %s has one value" % (where, tag))
    value = event.summary.value[0]
    check(value.tag == tag, "%s: tag %r, expected %r" % (where, value.tag, tag))
    meta = value.metadata
    check(meta.plugin_data.plugin_name == "hparams", "%s: plugin name" % where)
    check(meta.data_class == 2, "%s: data class is DATA_CLASS_TENSOR" % where)
    check(value.WhichOneof("value") == "tensor", "%s: the value is a tensor" % where)
    tensor = value.tensor
    check(tensor.dtype == 1 and len(tensor.tensor_shape.dim) == 0 and
          list(tensor.float_val) == [0.0], "%s: the null tensor (DT_FLOAT 0, shape [])" % where)
    plugin = parse(pb.HParamsPluginData, meta.plugin_data.content, where)
    check(plugin.version == 0, "%s: plugin data version 0" % where)
    return event, plugin


def flag_value(encoded):
    """A flag of `salvo runs --json`: floats are {"f": x}."""
    if isinstance(encoded, dict) and "f" in encoded:
        return float(encoded["f"])
    return encoded


def proto_value(value):
    kind = value.WhichOneof("kind")
    return None if kind is None else (kind, getattr(value, kind))


def expected_value(v, hparam_type):
    if hparam_type == "float64":
        return ("number_value", float(v))
    if hparam_type == "bool":
        return ("bool_value", v)
    return ("string_value", v if isinstance(v, str) else json.dumps(v))


def output_scalars(run_id, flags):
    """The run's `key: value` lines but those that echo a flag (Salvo skips them)."""
    points = []
    pattern = re.compile(r"^(\w+): (-?[0-9.]+(?:e[-+]?[0-9]+)?)(?: \(step (\d+)\))?$")
    for line in open(os.path.join(OUTPUT_DIR, run_id)).read().splitlines():
        m = pattern.match(line.strip())
        if m and m.group(1) not in flags:
            points.append((m.group(1), int(m.group(3) or 0), float(m.group(2))))
    return points


def close(a, b):
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


runs = json.load(open(RUNS_JSON))
expected = json.load(open(EXPECTED_JSON))
host = socket.gethostname()
types = {name: spec["type"] for name, spec in expected["hparams"].items()}
files = 0

# --- the experiment, in the logdir's top folder ---------------------------------------
created = min(r["created_us"] for r in runs)
top = [f for f in os.listdir(LOGDIR) if os.path.isfile(os.path.join(LOGDIR, f))]
check(top == ["events.out.tfevents.%d.%s.salvo" % (created // 1000000, host)],
      "top folder: one event file named after the first run's creation, got %s" % top)
for name in top:
    files += 1
    records = read_records(os.path.join(LOGDIR, name))
    check(len(records) == 2, "top folder: 2 records, got %d" % len(records))
    first = parse(pb.Event, records[0], "top")
    check(first.WhichOneof("what") == "file_version" and first.file_version == "brain.Event:2"
          and first.step == 0, "top: the file version event")
    low, high = expected["now"]
    check(low <= first.wall_time <= high, "top: wall time %f is the write time" % first.wall_time)
    event, plugin = hparams_event(records[1], "_hparams_/experiment", "top")
    check(event.wall_time == first.wall_time, "top: experiment at the write time")
    check(plugin.WhichOneof("data") == "experiment", "top: plugin data is an experiment")
    exp = plugin.experiment
    check(exp.name == "salvo", "top: experiment name %r" % exp.name)
    check(exp.description == expected["description"],
          "top: description %r, expected %r" % (exp.description, expected["description"]))
    check(exp.time_created_secs == created / 1e6, "top: time created %f" % exp.time_created_secs)
    names = [h.name for h in exp.hparam_infos]
    check(names == sorted(expected["hparams"]), "top: hparams %s" % names)
    for info in exp.hparam_infos:
        spec = expected["hparams"].get(info.name)
        if spec is None:
            continue
        want_type = {"string": 1, "bool": 2, "float64": 3}[spec["type"]]
        check(info.type == want_type, "hparam %s: type %d, expected %d" % (info.name, info.type, want_type))
        domain = info.WhichOneof("domain")
        if "interval" in spec:
            check(domain == "domain_interval" and
                  [info.domain_interval.min_value, info.domain_interval.max_value] == spec["interval"],
                  "hparam %s: interval %s, expected %s" % (info.name, info.domain_interval, spec["interval"]))
        else:
            got = [proto_value(v) for v in info.domain_discrete.values]
            want = [expected_value(v, spec["type"]) for v in spec["discrete"]]
            check(domain == "domain_discrete" and got == want,
                  "hparam %s: values %s, expected %s" % (info.name, got, want))
    metrics = [(m.name.group, m.name.tag) for m in exp.metric_infos]
    check(metrics == [("", tag) for tag in expected["metrics"]], "top: metrics %s" % metrics)

# --- one session per run ----------------------------------------------------------------
folders = sorted(d for d in os.listdir(LOGDIR) if os.path.isdir(os.path.join(LOGDIR, d)))
check(folders == sorted(r["id"][:8] for r in runs), "one folder per run (short ids): %s" % folders)
statuses = {"completed": 1, "error": 2, "timeout": 2, "lost": 2, "running": 3}
for run in runs:
    folder = os.path.join(LOGDIR, run["id"][:8])
    if not os.path.isdir(folder):
        continue
    where = run["id"][:8]
    start, stop = run["started_us"], run["stopped_us"]
    names = os.listdir(folder)
    check(names == ["events.out.tfevents.%d.%s.salvo" % (start // 1000000, host)],
          "%s: one event file named after the start, got %s" % (where, names))
    files += len(names)
    records = read_records(os.path.join(folder, names[0]))
    points = output_scalars(run["id"], run["flags"])
    check(len(records) == 3 + len(points),
          "%s: %d records, expected %d" % (where, len(records), 3 + len(points)))
    if len(records) != 3 + len(points):
        continue

    first = parse(pb.Event, records[0], where)
    check(first.WhichOneof("what") == "file_version" and first.file_version == "brain.Event:2"
          and first.wall_time == start / 1e6 and first.step == 0, "%s: the file version event" % where)

    event, plugin = hparams_event(records[1], "_hparams_/session_start_info", where)
    check(plugin.WhichOneof("data") == "session_start_info", "%s: session start info" % where)
    info = plugin.session_start_info
    check(event.wall_time == start / 1e6 and info.start_time_secs == start / 1e6,
          "%s: session start time" % where)
    check(info.group_name == "", "%s: group name %r" % (where, info.group_name))
    flags = {name: flag_value(v) for name, v in run["flags"].items() if v is not None}
    got = {name: proto_value(v) for name, v in info.hparams.items()}
    want = {name: expected_value(v, types.get(name, "string")) for name, v in flags.items()}
    check(got == want, "%s: hparams %s, expected %s" % (where, got, want))

    previous = start / 1e6
    for i, (data, (tag, step, value)) in enumerate(zip(records[2:-1], points)):
        event = parse(pb.Event, data, where)
        ok = (event.WhichOneof("what") == "summary" and len(event.summary.value) == 1)
        check(ok, "%s: scalar %d is a summary of one value" % (where, i))
        if not ok:
            continue
        v = event.summary.value[0]
        wall = start / 1e6 + (stop - start) / 1e6 * (i + 1) / len(points)
        check(v.tag == tag and event.step == step and v.WhichOneof("value") == "simple_value"
              and not v.HasField("metadata")
              and v.simple_value == struct.unpack("<f", struct.pack("<f", value))[0],
              "%s: scalar %d is %s=%r at step %d, got %s=%r at step %d" %
              (where, i, tag, value, step, v.tag, v.simple_value, event.step))
        check(close(event.wall_time, wall) and event.wall_time >= previous,
              "%s: scalar %d at %f, expected %f" % (where, i, event.wall_time, wall))
        previous = event.wall_time

    event, plugin = hparams_event(records[-1], "_hparams_/session_end_info", where)
    check(plugin.WhichOneof("data") == "session_end_info", "%s: session end info" % where)
    end = plugin.session_end_info
    check(end.status == statuses[run["status"]],
          "%s: status %d for a %s run" % (where, end.status, run["status"]))
    check(event.wall_time == stop / 1e6 and end.end_time_secs == stop / 1e6,
          "%s: session end time" % where)

print("checked %d files, %d records, %d failures" % (files, records_read, len(failures)))
sys.exit(1 if failures else 0)
