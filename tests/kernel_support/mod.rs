//! A probe actor for kernel tests: it sends what the environment tells it to and remembers
//! what it received, so tests can drive the network by hand and look at the outcome.
//!
//! Volatile state (`received`, `round`) is lost on a crash; `starts` plays the part of disk
//! state and survives it.

#![allow(dead_code)]

use zooscope::sim::{Actor, Ctx, Input, LinkConfig, Message, NodeId, StepRecord, TimeUs, World};

/// Probe messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// From the environment: send `count` `Data` messages numbered from `first` to `to`.
    SendTo { to: NodeId, first: u64, count: u64 },
    /// A numbered payload between probes.
    Data(u64),
    /// From the environment: a marker the probe only records.
    Marker(u64),
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::SendTo { .. } => "SendTo",
            Msg::Data(_) => "Data",
            Msg::Marker(_) => "Marker",
        }
    }

    fn summary(&self) -> String {
        match self {
            Msg::SendTo { to, first, count } => format!("SendTo {to} #{first}+{count}"),
            Msg::Data(n) => format!("Data {n}"),
            Msg::Marker(n) => format!("Marker {n}"),
        }
    }
}

/// Probe timers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Re-armed on every firing while `tick_us` is set.
    Tick,
}

impl zooscope::sim::TimerKey for Timer {
    fn name(&self) -> String {
        "Tick".into()
    }
}

/// The probe actor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    pub name: String,
    /// Tick period; `None` for a probe without timers.
    pub tick_us: Option<TimeUs>,
    /// Disk: how many times `on_start` ran.
    pub starts: u64,
    /// Volatile: (src, payload) of every `Data` and `Marker` received.
    pub received: Vec<(NodeId, Msg)>,
    /// Volatile: ticks since the last start.
    pub ticks: u64,
}

impl Probe {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            tick_us: None,
            starts: 0,
            received: Vec::new(),
            ticks: 0,
        }
    }

    /// Payloads of the `Data` messages received, in order.
    pub fn data(&self) -> Vec<u64> {
        self.received
            .iter()
            .filter_map(|(_, m)| match m {
                Msg::Data(n) => Some(*n),
                _ => None,
            })
            .collect()
    }
}

impl Actor for Probe {
    type Msg = Msg;
    type Timer = Timer;

    fn label(&self) -> String {
        self.name.clone()
    }

    fn on_start(&mut self, ctx: &mut Ctx<Msg, Timer>) {
        self.starts += 1;
        if let Some(t) = self.tick_us {
            ctx.set_timer(Timer::Tick, t);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg, Timer>, src: NodeId, msg: Msg) {
        match msg {
            Msg::SendTo { to, first, count } => {
                for n in first..first + count {
                    ctx.send(to, Msg::Data(n));
                }
            }
            other => self.received.push((src, other)),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg, Timer>, timer: Timer) {
        self.ticks += 1;
        if let Some(t) = self.tick_us {
            ctx.set_timer(timer, t);
        }
    }

    fn on_crash(&mut self) {
        self.received.clear();
        self.ticks = 0;
    }
}

/// One record of a probe world.
pub type Record = StepRecord<Msg, Timer>;

/// A link with a fixed latency, no loss, FIFO.
pub fn fixed_link(latency_us: TimeUs) -> LinkConfig {
    LinkConfig {
        latency_min_us: latency_us,
        latency_max_us: latency_us,
        loss_ppm: 0,
        duplicate_ppm: 0,
        fifo: true,
    }
}

/// A world of `n` probes named p0, p1, … on `link`, started and quiet.
pub fn probes(n: usize, link: LinkConfig) -> World<Probe> {
    let mut world = World::new(1, link);
    for i in 0..n {
        world.add_node(Probe::new(&format!("p{i}")));
    }
    run_quiet(&mut world);
    world
}

/// Steps until nothing is left to do; returns the records.
pub fn run_quiet(world: &mut World<Probe>) -> Vec<Record> {
    let mut out = Vec::new();
    while let Some(rec) = world.step() {
        out.push(rec);
        assert!(out.len() < 1_000_000, "the world never falls quiet");
    }
    out
}

/// Applies an input as the next step and returns its record.
pub fn apply(world: &mut World<Probe>, input: Input<Msg>) -> Record {
    world.inject(input);
    world.step().expect("an injected input is a step")
}

/// Makes `src` send `count` messages numbered from `first` to `dst`; returns the step's record.
pub fn send(world: &mut World<Probe>, src: u32, dst: u32, first: u64, count: u64) -> Record {
    let msg = Msg::SendTo {
        to: NodeId(dst),
        first,
        count,
    };
    apply(world, Input::Deliver(NodeId(src), msg))
}

/// The trace line of a record with the world's labels.
pub fn line(world: &World<Probe>, rec: &Record) -> String {
    rec.trace_line(&|id| world.label(id))
}

pub mod cluster;
