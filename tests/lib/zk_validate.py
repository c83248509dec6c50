#!/usr/bin/python3
"""zk_validate.py: validate a live samsa ZooKeeper tree against zk-schema/.

Usage:
    /usr/bin/python3 tests/lib/zk_validate.py HOST:PORT[,HOST:PORT][/chroot]
        [--schema-dir DIR] [--strict] [-v]

Walks every znode under the chroot (kazoo, Debian python3-kazoo), maps each
path to its kind (the table below, mirrored in zk-schema/README.md) and
checks:
  - the data against zk-schema/<kind>.schema.json (JSON Schema draft 7);
  - container nodes hold no data;
  - ephemeral nodes (/brokers/ids/<id>, /controller) are ephemeral and
    nothing else is;
  - a few cross-node rules: partition znodes match the topic's assignment,
    leader and ISR are replicas, /brokers/ids/<id> matches the name.
A node of no known kind is reported; it fails the run only with --strict.

Exit status: 0 valid, 1 any mismatch, 2 usage or connection error,
77 python3-kazoo or python3-jsonschema missing (automake SKIP).
"""
import json
import os
import re
import sys

try:
    from kazoo.client import KazooClient
    import jsonschema
except ImportError as e:  # pragma: no cover
    print("zk_validate: %s (install python3-kazoo python3-jsonschema)" % e,
          file=sys.stderr)
    sys.exit(77)

T = r"[a-zA-Z0-9._-]{1,249}"
N = r"(?:0|[1-9][0-9]*)"
SEQ = r"[0-9]{10}"

# (path regex relative to the chroot, kind, ephemeral)
# kind "container": no data; "any": not checked (other owners' nodes)
TABLE = [
    (r"/", "container", False),
    (r"/cluster", "container", False),
    (r"/cluster/id", "cluster_id", False),
    (r"/controller", "controller", True),
    (r"/controller_epoch", "controller_epoch", False),
    (r"/brokers", "container", False),
    (r"/brokers/ids", "container", False),
    (r"/brokers/ids/" + N, "broker", True),
    (r"/brokers/seqid", "container", False),
    (r"/brokers/topics", "container", False),
    (r"/brokers/topics/" + T, "topic", False),
    (r"/brokers/topics/" + T + "/partitions", "container", False),
    (r"/brokers/topics/" + T + "/partitions/" + N, "container", False),
    (r"/brokers/topics/" + T + "/partitions/" + N + "/state",
     "partition_state", False),
    (r"/config", "container", False),
    (r"/config/(topics|clients|users|brokers|ips)", "container", False),
    (r"/config/topics/" + T, "config", False),
    (r"/config/(clients|users|brokers|ips)/[^/]+", "config", False),
    (r"/config/changes", "container", False),
    (r"/config/changes/config_change_" + SEQ, "config_change", False),
    (r"/admin", "container", False),
    (r"/admin/delete_topics", "container", False),
    (r"/admin/delete_topics/" + T, "container", False),
    (r"/admin/reassign_partitions", "reassign_partitions", False),
    (r"/admin/preferred_replica_election", "preferred_replica_election",
     False),
    (r"/isr_change_notification", "container", False),
    (r"/isr_change_notification/isr_change_" + SEQ, "isr_change", False),
    (r"/log_dir_event_notification", "container", False),
    (r"/log_dir_event_notification/log_dir_event_" + SEQ, "log_dir_event",
     False),
    (r"/latest_producer_id_block", "producer_id_block", False),
    (r"/consumers", "container", False),
    (r"/consumers/[^/]+", "container", False),
    (r"/consumers/[^/]+/offsets", "container", False),
    (r"/consumers/[^/]+/offsets/" + T, "container", False),
    (r"/consumers/[^/]+/offsets/" + T + "/" + N, "consumer_offset", False),
    (r"/kafka-acl", "container", False),
    (r"/kafka-acl/[A-Za-z]+", "container", False),
    (r"/kafka-acl/[A-Za-z]+/[^/]+", "acl", False),
    (r"/kafka-acl-changes", "container", False),
    (r"/kafka-acl-changes/acl_changes_" + SEQ, "text", False),
    (r"/kafka-acl-extended", "container", False),
    (r"/kafka-acl-extended-changes", "container", False),
    (r"/samsa", "container", False),
    (r"/samsa/groups", "container", False),
    (r"/samsa/groups/[^/]+", "group", False),
    (r"/zookeeper(/.*)?", "any", False),  # the server's own (no chroot)
]
TABLE = [(re.compile("^" + rx + "$"), kind, eph) for rx, kind, eph in TABLE]

# kinds whose node may still be empty (created before first use)
MAY_BE_EMPTY = {"producer_id_block"}


def kind_of(path):
    for rx, kind, eph in TABLE:
        if rx.match(path):
            return kind, eph
    return None, False


class Validator:
    def __init__(self, zk, schema_dir, strict, verbose):
        self.zk = zk
        self.strict = strict
        self.verbose = verbose
        self.errors = 0
        self.warnings = 0
        self.nodes = 0
        self.schemas = {}
        for name in os.listdir(schema_dir):
            if name.endswith(".schema.json"):
                with open(os.path.join(schema_dir, name)) as f:
                    schema = json.load(f)
                jsonschema.Draft7Validator.check_schema(schema)
                self.schemas[name[:-len(".schema.json")]] = \
                    jsonschema.Draft7Validator(schema)
        self.docs = {}  # path -> parsed JSON, for the cross checks

    def err(self, path, msg):
        self.errors += 1
        print("INVALID %s: %s" % (path, msg))

    def warn(self, path, msg):
        self.warnings += 1
        print("%s %s: %s" % ("INVALID" if self.strict else "warning", path,
                             msg))
        if self.strict:
            self.errors += 1

    def walk(self, path):
        data, stat = self.zk.get(path)
        self.nodes += 1
        self.check(path, data, stat)
        for child in sorted(self.zk.get_children(path)):
            self.walk(path.rstrip("/") + "/" + child)

    def check(self, path, data, stat):
        kind, eph = kind_of(path)
        if self.verbose:
            print("%-10s %s" % (kind, path))
        if kind is None:
            self.warn(path, "no known node kind at this path")
            return
        is_eph = stat.ephemeralOwner != 0
        if is_eph != eph:
            self.err(path, "is %sephemeral, should %sbe" %
                     ("" if is_eph else "not ", "" if eph else "not "))
        empty = data is None or data == b"" or data == b"null"
        if kind == "container":
            if not empty:
                self.err(path, "a container node should hold no data, "
                         "has %r" % data[:80])
            return
        if kind in ("any", "text"):
            return
        if empty:
            if kind not in MAY_BE_EMPTY:
                self.err(path, "%s node has no data" % kind)
            return
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            self.err(path, "not JSON (%s): %r" % (e, data[:80]))
            return
        schema = self.schemas.get(kind)
        if schema is None:
            self.err(path, "no zk-schema/%s.schema.json" % kind)
            return
        for e in sorted(schema.iter_errors(doc), key=lambda e: list(e.path)):
            where = "/".join(str(p) for p in e.path)
            self.err(path, "%s%s (%s)" % (where + ": " if where else "",
                                          e.message, kind))
        self.docs[path] = doc

    def cross_check(self):
        for path, doc in self.docs.items():
            m = re.match(r"^/brokers/ids/(\d+)$", path)
            if m and isinstance(doc, dict):
                for ep in doc.get("endpoints", []):
                    lst = ep.split("://", 1)[0]
                    spm = doc.get("listener_security_protocol_map")
                    if spm is not None and lst not in spm:
                        self.err(path, "listener %s not in "
                                 "listener_security_protocol_map" % lst)
            m = re.match(r"^/brokers/topics/([^/]+)$", path)
            if m and isinstance(doc, dict):
                parts = doc.get("partitions", {})
                keys = sorted(int(k) for k in parts if k.isdigit())
                if keys != list(range(len(keys))):
                    self.err(path, "partitions are not 0..N-1: %s" % keys)
                pdir = path + "/partitions"
                if self.zk.exists(pdir):
                    for p in self.zk.get_children(pdir):
                        if p not in parts:
                            self.err(pdir + "/" + p,
                                     "partition not in the assignment")
                for p, reps in parts.items():
                    st = self.docs.get("%s/partitions/%s/state" % (path, p))
                    if not isinstance(st, dict):
                        continue
                    if st.get("leader", -1) not in reps + [-1]:
                        self.err("%s/partitions/%s/state" % (path, p),
                                 "leader %s is not a replica %s" %
                                 (st.get("leader"), reps))
                    if not set(st.get("isr", [])) <= set(reps):
                        self.err("%s/partitions/%s/state" % (path, p),
                                 "isr %s not within replicas %s" %
                                 (st.get("isr"), reps))
        ctl = self.docs.get("/controller")
        epoch = self.docs.get("/controller_epoch")
        if isinstance(epoch, int):
            for path, doc in self.docs.items():
                if path.endswith("/state") and isinstance(doc, dict) and \
                        doc.get("controller_epoch", 0) > epoch:
                    self.err(path, "controller_epoch %s above "
                             "/controller_epoch %s" %
                             (doc["controller_epoch"], epoch))
        if ctl is not None and epoch is None:
            self.err("/controller", "present without /controller_epoch")


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("-")]
    opts = [a for a in argv[1:] if a.startswith("-")]
    schema_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "..", "..", "zk-schema")
    if "--schema-dir" in argv:
        i = argv.index("--schema-dir")
        if i + 1 >= len(argv):
            print(__doc__, file=sys.stderr)
            return 2
        schema_dir = argv[i + 1]
        args = [a for a in args if a != schema_dir]
    if len(args) != 1 or "-h" in opts or "--help" in opts:
        print(__doc__, file=sys.stderr)
        return 2
    connect = args[0]
    zk = KazooClient(hosts=connect, timeout=10.0, read_only=False)
    try:
        zk.start(timeout=15)
    except Exception as e:  # kazoo raises its own timeout type
        print("zk_validate: cannot connect to %s: %s" % (connect, e),
              file=sys.stderr)
        return 2
    try:
        if not zk.exists("/"):
            print("zk_validate: %s: chroot missing" % connect,
                  file=sys.stderr)
            return 1
        v = Validator(zk, schema_dir, "--strict" in opts,
                      "-v" in opts or "--verbose" in opts)
        v.walk("/")
        v.cross_check()
    finally:
        zk.stop()
        zk.close()
    print("zk_validate: %s: %d node(s), %d error(s), %d warning(s)" %
          (connect, v.nodes, v.errors, v.warnings))
    return 1 if v.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
