//! The Kafka "What if…" scenarios: a Kafka cluster with one planted protocol mistake (a bug
//! switch, [`crate::kafka::bugs`]) each, arranged so the matching checker fires within seconds
//! on the default seed and the Invariants panel says in words what went wrong. The Kafka twin
//! of [`crate::cluster::zk::whatif`]; `zooscope-cli mutants` sweeps each of them with the
//! seed's random broker faults. A scenario is named `whatif-<bug>`; the builders (and tests)
//! are the only place that turns a Kafka switch on, through `BrokerConfig.bugs` before the
//! brokers are made.
//!
//! A bug with no scenario here yet ([`scenario_of`] gives `None`: `commit-unprocessed`, whose
//! consumer is not on this branch) is reported as such by `zooscope-cli mutants`.

use crate::kafka::bugs::{KafkaBug, KafkaBugs};
use crate::kafka::config::Acks;
use crate::kafka::msg::Operator;
use crate::sim::{Input, LinkConfig, NodeId, MS, SEC};
use crate::zk::client::{Call, CallOp};
use crate::zk::msg::{ClientOp, Control};
use crate::zk::{self, WriteOp};

use crate::cluster::scenario::{
    add_chaos, base_link, BuildOptions, Scenario, ScenarioInfo, ScenarioKind,
};
use crate::cluster::{ClusterSim, Msg, Node};

use super::controller::{broker_config, build_layout, operator, Layout};
use super::groups::{scenario_consumer_config, with_group};
use super::producer::{kafka_cluster_with, producer_node, ClusterSetup};
use super::{broker_node, kafka_cluster, KAFKA_PANELS};

const fn entry(
    name: &'static str,
    title: &'static str,
    description: &'static str,
    steps: u64,
) -> ScenarioInfo {
    ScenarioInfo {
        name,
        kind: ScenarioKind::Scenario,
        title,
        description,
        default_steps: steps,
        panels: KAFKA_PANELS,
    }
}

/// The Kafka "What if…" scenarios, in [`KafkaBug::ALL`] order (those that have one).
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        info: entry(
            "whatif-no-controller-fencing",
            "What if… a deposed controller's writes were not fenced?",
            "At 12 s broker-1 (the controller) stalls on ZooKeeper: its connections are held both ways, as in a long pause. broker-3 is stopped at 12.1 s; its ControlledShutdown reaches broker-1, which elects new leaders, but the writes wait in the stalled connection. At 12.5 s an operator deletes /controller and another broker becomes controller with epoch 2. At 14 s the connections resume: broker-1's writes carry no /controller_epoch check, so a deposed controller's elections land after epoch 2 began.",
            12_000,
        ),
        build: |opts| Ok(no_controller_fencing(opts)),
    },
    Scenario {
        info: entry(
            "whatif-hw-before-isr",
            "What if… the leader advanced the high watermark before the ISR had the records?",
            "acks=all, a record every 100 ms. Each leader moves its high watermark to its own log end as it appends, without waiting for its in-sync followers to fetch: the first record is 'committed' while the followers lack it, so a leader crash (broker-2 at 15 s) could lose what consumers already read.",
            10_000,
        ),
        build: |opts| {
            let mut setup = producer_setup(KafkaBug::HwBeforeIsr);
            setup.interval_ms = 100;
            let mut sim = kafka_cluster_with(opts, &setup);
            let b2 = broker_node(&sim.world, 2);
            sim.world.schedule(15 * SEC, Input::Crash(b2));
            sim.world.schedule(35 * SEC, Input::Restart(b2));
            Ok(sim)
        },
    },
    Scenario {
        info: entry(
            "whatif-unclean-without-config",
            "What if… the controller elected an out-of-sync leader with unclean election off?",
            "unclean.leader.election.enable is false, min.insync.replicas=1. broker-3 crashes at 10 s and leaves the ISR; brokers 1 and 2 crash at 30 s. broker-3 returns at 37 s, out of sync: the controller should wait for an ISR member, but it elects broker-3 anyway and the records it never had are gone.",
            30_000,
        ),
        build: |opts| {
            let mut config = broker_config(&[("min.insync.replicas", "1")]);
            config.bugs = KafkaBugs::NONE.with(KafkaBug::UncleanWithoutConfig);
            let mut sim = build_layout(opts, &Layout::standard(config));
            let b = [1, 2, 3].map(|id| broker_node(&sim.world, id));
            sim.world.schedule(10 * SEC, Input::Crash(b[2]));
            sim.world.schedule(30 * SEC, Input::Crash(b[0]));
            sim.world.schedule(30 * SEC, Input::Crash(b[1]));
            sim.world.schedule(37 * SEC, Input::Restart(b[2]));
            sim.world.schedule(50 * SEC, Input::Restart(b[0]));
            sim.world.schedule(50 * SEC, Input::Restart(b[1]));
            Ok(sim)
        },
    },
    Scenario {
        info: entry(
            "whatif-no-duplicate-check",
            "What if… the leader skipped the idempotent producer's sequence check?",
            "enable.idempotence=true. From 10 s to 10.6 s every ProduceResponse to the producer is lost, so it sends the same batches again with the same producer id and sequence. The leaders append them a second time instead of answering with the original offsets: a record is committed twice.",
            20_000,
        ),
        build: |opts| {
            let mut setup = producer_setup(KafkaBug::NoDuplicateCheck);
            setup.producer.enable_idempotence = true;
            setup.producer.request_timeout_ms = 3_000;
            setup.interval_ms = 100;
            let mut sim = kafka_cluster_with(opts, &setup);
            lose_responses(&mut sim, 10 * SEC, 10 * SEC + 600 * MS);
            Ok(sim)
        },
    },
    Scenario {
        info: entry(
            "whatif-commit-unprocessed",
            "What if… a consumer committed offsets it had not processed yet?",
            "A consumer group of two with auto-commit every second, each poll handing the application one record. The consumers commit their fetch positions instead of what the application has processed: a crash between the commit and the processing would skip those records for good (at-most-once by accident).",
            20_000,
        ),
        build: |opts| {
            let mut config = scenario_consumer_config();
            config.bugs = KafkaBugs::NONE.with(KafkaBug::CommitUnprocessed);
            config.max_poll_records = 1;
            Ok(with_group(kafka_cluster(opts, Acks::All, 2), 2, config))
        },
    },
];

/// The "What if…" scenario that plants `bug`, if it has one yet.
pub fn scenario_of(bug: KafkaBug) -> Option<&'static str> {
    match bug {
        KafkaBug::NoControllerFencing => Some("whatif-no-controller-fencing"),
        KafkaBug::HwBeforeIsr => Some("whatif-hw-before-isr"),
        KafkaBug::UncleanWithoutConfig => Some("whatif-unclean-without-config"),
        KafkaBug::CommitUnprocessed => Some("whatif-commit-unprocessed"),
        KafkaBug::NoDuplicateCheck => Some("whatif-no-duplicate-check"),
    }
}

/// An `acks=all` producer cluster (`min.insync.replicas=2`) with `bug` planted.
fn producer_setup(bug: KafkaBug) -> ClusterSetup {
    let mut setup = ClusterSetup::default();
    setup.producer.acks = Acks::All;
    setup.broker.bugs = KafkaBugs::NONE.with(bug);
    setup
}

/// Every broker → producer message sent in `[from, to)` is lost.
fn lose_responses(sim: &mut ClusterSim, from: u64, to: u64) {
    let p = producer_node(&sim.world);
    let brokers: Vec<NodeId> = [1, 2, 3].map(|id| broker_node(&sim.world, id)).to_vec();
    let lossy = LinkConfig {
        loss_ppm: 1_000_000,
        ..base_link()
    };
    for b in brokers {
        sim.world
            .schedule(from, Input::SetLink(b, p, lossy.clone()));
        sim.world.schedule(to, Input::SetLink(b, p, base_link()));
    }
}

/// The name of the operator's ZooKeeper shell in [`no_controller_fencing`].
const ZK_CLI: &str = "zkCli";

/// A call of the operator's ZooKeeper shell, delivered at its node.
fn zk_cli(node: NodeId, tag: u64, op: CallOp) -> Input<Msg> {
    Input::Deliver(
        node,
        Msg::from(zk::Msg::Control(Control::ClientCall(Call { tag, op }))),
    )
}

fn no_controller_fencing(opts: &BuildOptions) -> ClusterSim {
    let mut config = broker_config(&[("min.insync.replicas", "1")]);
    config.bugs = KafkaBugs::NONE.with(KafkaBug::NoControllerFencing);
    let calm = BuildOptions {
        chaos: false,
        ..opts.clone()
    };
    let mut sim = build_layout(&calm, &Layout::standard(config));
    let b = [1, 2, 3].map(|id| broker_node(&sim.world, id));
    if opts.chaos {
        // Random faults spare broker-1: the story is about the controller it is.
        add_chaos(&mut sim.world, opts.seed, vec![b[1], b[2]], 1);
    }
    let zks: Vec<NodeId> = sim
        .world
        .node_ids()
        .filter(|id| sim.world.node(*id).zk_server().is_some())
        .collect();
    let cli = sim
        .world
        .add_node_at(Node::from(zk::ClientNode::scripted(ZK_CLI)), 0);
    let connect = CallOp::Connect {
        servers: zks.iter().rev().copied().collect(),
        timeout_ms: 30_000,
    };
    sim.world.schedule(5 * SEC, zk_cli(cli, 1, connect));
    // broker-1 (first to start, so the controller) stalls on ZooKeeper both ways.
    for &z in &zks {
        sim.world.schedule(12 * SEC, Input::HoldLink(b[0], z));
        sim.world.schedule(12 * SEC, Input::HoldLink(z, b[0]));
    }
    sim.world
        .schedule(12 * SEC + 100 * MS, operator(b[2], Operator::Shutdown));
    let delete = ClientOp::Write(WriteOp::delete("/controller", -1));
    sim.world
        .schedule(12 * SEC + 500 * MS, zk_cli(cli, 2, CallOp::Op(delete)));
    for &z in &zks {
        sim.world.schedule(14 * SEC, Input::ReleaseLink(b[0], z));
        sim.world.schedule(14 * SEC, Input::ReleaseLink(z, b[0]));
    }
    sim.world.schedule(30 * SEC, Input::Restart(b[2]));
    sim
}
