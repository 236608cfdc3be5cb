//! The world: nodes, network, clock, PRNG and the event queue, advanced one event per step.
//!
//! Events are ordered by (time, sequence number), so ties break by the order they were
//! scheduled and a run is reproducible byte for byte. Inputs given by a person are applied
//! before any queued event, each as a step of its own; scheduled faults sit in the queue like
//! any other event. Everything the world holds is `Clone`: a checkpoint is a clone.

use std::collections::VecDeque;

use super::actor::{Actor, Command, Ctx, Message, NodeId, TimerKey};
pub use super::input::Input;
use super::net::{Link, LinkConfig, LossReason, Network, Route};
use super::record::{EventRecord, SendFate, SendRecord, StepRecord, TimerRecord};
use super::rng::SimRng;
use super::time::TimeUs;
use super::vecmap::VecMap;

/// Identifies one message on the wire (a duplicate copy gets its own id).
pub type MsgId = u64;

/// A message on the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct Flight<M> {
    pub id: MsgId,
    pub src: NodeId,
    pub dst: NodeId,
    pub msg: M,
    pub sent_us: TimeUs,
    /// Due time; meaningless while `held`.
    pub deliver_us: TimeUs,
    pub held: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum Event<M, T> {
    Start(NodeId),
    Deliver(MsgId),
    Timer(NodeId, T),
    Input(Input<M>),
}

type QueueKey = (TimeUs, u64);

#[derive(Clone, Debug)]
struct Slot<A: Actor> {
    actor: A,
    /// Running: started and not crashed. A node is down until its start event.
    up: bool,
    /// Has started at least once (its start event ran, or a restart started it early).
    started: bool,
    /// Added without a start event: only an input starts it.
    spare: bool,
    /// Armed timers and where they sit in the queue.
    timers: Vec<(A::Timer, QueueKey)>,
}

/// Limits that keep memory bounded; reaching one is recorded, never a crash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Messages on the wire per directed link.
    pub max_in_flight_per_link: u32,
    /// Events in the queue (timers, deliveries, scheduled inputs).
    pub max_queue: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            max_in_flight_per_link: 1024,
            max_queue: 200_000,
        }
    }
}

/// The simulated world.
#[derive(Clone, Debug)]
pub struct World<A: Actor> {
    now_us: TimeUs,
    seq: u64,
    steps: u64,
    next_msg_id: MsgId,
    rng: SimRng,
    slots: Vec<Slot<A>>,
    net: Network,
    queue: VecMap<QueueKey, Event<A::Msg, A::Timer>>,
    flights: VecMap<MsgId, (Flight<A::Msg>, Option<QueueKey>)>,
    pending_inputs: VecDeque<Input<A::Msg>>,
    bounds: Bounds,
    /// Time of the last fault or repair input.
    last_fault_change_us: TimeUs,
}

impl<A: Actor> World<A> {
    /// An empty world whose randomness comes from `seed`.
    pub fn new(seed: u64, link: LinkConfig) -> Self {
        Self::with_bounds(seed, link, Bounds::default())
    }

    /// An empty world with explicit bounds.
    pub fn with_bounds(seed: u64, link: LinkConfig, bounds: Bounds) -> Self {
        let mut net = Network::new(link);
        net.set_max_in_flight_per_link(bounds.max_in_flight_per_link);
        Self {
            now_us: 0,
            seq: 0,
            steps: 0,
            next_msg_id: 1,
            rng: SimRng::new(seed),
            slots: Vec::new(),
            net,
            queue: VecMap::new(),
            flights: VecMap::new(),
            pending_inputs: VecDeque::new(),
            bounds,
            last_fault_change_us: 0,
        }
    }

    /// Adds a node that starts at `start_us`.
    pub fn add_node_at(&mut self, actor: A, start_us: TimeUs) -> NodeId {
        let id = NodeId(self.slots.len() as u32);
        self.slots.push(Slot {
            actor,
            up: false,
            started: false,
            spare: false,
            timers: Vec::new(),
        });
        self.push_event(start_us, Event::Start(id));
        id
    }

    /// Adds a node that starts only when an [`Input::Start`] (or a restart) starts it: a spare
    /// the scenario keeps in reserve.
    pub fn add_spare_node(&mut self, actor: A) -> NodeId {
        let id = NodeId(self.slots.len() as u32);
        self.slots.push(Slot {
            actor,
            up: false,
            started: false,
            spare: true,
            timers: Vec::new(),
        });
        id
    }

    /// Adds a node that starts at time 0.
    pub fn add_node(&mut self, actor: A) -> NodeId {
        self.add_node_at(actor, 0)
    }

    /// Sets how the directed link `a -> b` behaves from now on, without a step (a scenario's
    /// own network: e.g. a few servers in one rack among nodes farther apart).
    pub fn set_link(&mut self, a: NodeId, b: NodeId, config: LinkConfig) {
        self.net.set_config((a, b), config);
    }

    /// Schedules an input (a planned fault) at `at_us`.
    pub fn schedule(&mut self, at_us: TimeUs, input: Input<A::Msg>) {
        self.push_event(at_us.max(self.now_us), Event::Input(input));
    }

    /// Queues an input to be applied as the very next step (a person's action).
    pub fn inject(&mut self, input: Input<A::Msg>) {
        self.pending_inputs.push_back(input);
    }

    /// Current simulated time.
    pub fn now_us(&self) -> TimeUs {
        self.now_us
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the world has no nodes.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// All node ids in order.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.slots.len() as u32).map(NodeId)
    }

    /// The actor of a node.
    pub fn node(&self, id: NodeId) -> &A {
        &self.slots[id.index()].actor
    }

    /// The actor of a node, mutably (for tests and scenario set-up only).
    pub fn node_mut(&mut self, id: NodeId) -> &mut A {
        &mut self.slots[id.index()].actor
    }

    /// Whether a node is running.
    pub fn is_up(&self, id: NodeId) -> bool {
        self.slots.get(id.index()).is_some_and(|s| s.up)
    }

    /// Whether a node is a spare that has not started: nothing but an input will start it.
    pub fn is_idle_spare(&self, id: NodeId) -> bool {
        self.slots
            .get(id.index())
            .is_some_and(|s| s.spare && !s.started)
    }

    /// Whether a node has started at least once (it is down before its start event).
    pub fn has_started(&self, id: NodeId) -> bool {
        self.slots.get(id.index()).is_some_and(|s| s.started)
    }

    /// Label of a node (or `env`).
    pub fn label(&self, id: NodeId) -> String {
        match self.slots.get(id.index()) {
            Some(s) => s.actor.label(),
            None => id.to_string(),
        }
    }

    /// The network.
    pub fn net(&self) -> &Network {
        &self.net
    }

    /// Messages on the wire, in id order.
    pub fn in_flight(&self) -> impl Iterator<Item = &Flight<A::Msg>> {
        self.flights.values().map(|(f, _)| f)
    }

    /// How many messages are on the wire (moving or held).
    pub fn in_flight_len(&self) -> usize {
        self.flights.len()
    }

    /// One message on the wire.
    pub fn flight(&self, id: MsgId) -> Option<&Flight<A::Msg>> {
        self.flights.get(&id).map(|(f, _)| f)
    }

    /// Armed timers of a node with their due times.
    pub fn timers_of(&self, id: NodeId) -> impl Iterator<Item = (&A::Timer, TimeUs)> {
        self.slots[id.index()].timers.iter().map(|(t, k)| (t, k.0))
    }

    /// Due time of the next queued event, if any.
    pub fn next_event_us(&self) -> Option<TimeUs> {
        if !self.pending_inputs.is_empty() {
            return Some(self.now_us);
        }
        self.queue.keys().next().map(|k| k.0)
    }

    /// `Some(since)` when every node is up and no link is cut or held, giving the time of the
    /// last fault or repair; `None` while the world is disrupted.
    pub fn healthy_since_us(&self) -> Option<TimeUs> {
        let healthy = self.slots.iter().all(|s| s.up)
            && self.net.cut_links().next().is_none()
            && self.net.held_links().next().is_none();
        healthy.then_some(self.last_fault_change_us)
    }

    /// Processes one event and returns what happened, or `None` when nothing is left to do.
    pub fn step(&mut self) -> Option<StepRecord<A::Msg, A::Timer>> {
        let mut rec = if let Some(input) = self.pending_inputs.pop_front() {
            self.begin(self.now_us, EventRecord::Input(input.clone()))
                .with_input(self, input)
        } else {
            let (key, event) = self.queue.pop_first()?;
            self.now_us = key.0;
            self.run_event(key, event)
        };
        rec.step = self.steps;
        Some(rec)
    }

    fn begin(
        &mut self,
        time_us: TimeUs,
        event: EventRecord<A::Msg, A::Timer>,
    ) -> StepRecord<A::Msg, A::Timer> {
        self.steps += 1;
        StepRecord {
            step: self.steps,
            time_us,
            event,
            sends: Vec::new(),
            timers: Vec::new(),
            notes: Vec::new(),
            kernel_notes: Vec::new(),
            violations: Vec::new(),
        }
    }

    fn run_event(
        &mut self,
        key: QueueKey,
        event: Event<A::Msg, A::Timer>,
    ) -> StepRecord<A::Msg, A::Timer> {
        match event {
            Event::Start(node) => {
                let mut rec = self.begin(key.0, EventRecord::Start { node });
                let slot = &mut self.slots[node.index()];
                if !slot.started {
                    slot.started = true;
                    slot.up = true;
                    self.run_handler(node, &mut rec, |a, ctx| a.on_start(ctx));
                }
                rec
            }
            Event::Timer(node, timer) => {
                let slot = &mut self.slots[node.index()];
                slot.timers.retain(|(_, k)| *k != key);
                let mut rec = self.begin(
                    key.0,
                    EventRecord::Timer {
                        node,
                        timer: timer.clone(),
                    },
                );
                self.run_handler(node, &mut rec, |a, ctx| a.on_timer(ctx, timer));
                rec
            }
            Event::Input(input) => {
                let rec = self.begin(key.0, EventRecord::Input(input.clone()));
                rec.with_input(self, input)
            }
            Event::Deliver(id) => {
                let (flight, _) = self
                    .flights
                    .remove(&id)
                    .expect("queued delivery has a flight");
                let link = (flight.src, flight.dst);
                self.net.left_wire(link);
                let lost = if !self.is_up(flight.dst) {
                    Some(LossReason::NodeDown)
                } else if self.net.is_cut(link) {
                    Some(LossReason::LinkCut)
                } else {
                    None
                };
                let Flight { src, dst, msg, .. } = flight;
                match lost {
                    Some(reason) => self.begin(
                        key.0,
                        EventRecord::Lost {
                            id,
                            src,
                            dst,
                            msg,
                            reason,
                        },
                    ),
                    None => {
                        let mut rec = self.begin(
                            key.0,
                            EventRecord::Deliver {
                                id,
                                src,
                                dst,
                                msg: msg.clone(),
                            },
                        );
                        self.run_handler(dst, &mut rec, |a, ctx| a.on_message(ctx, src, msg));
                        rec
                    }
                }
            }
        }
    }

    /// Runs one handler of `node` and applies the commands it recorded.
    fn run_handler(
        &mut self,
        node: NodeId,
        rec: &mut StepRecord<A::Msg, A::Timer>,
        f: impl FnOnce(&mut A, &mut Ctx<A::Msg, A::Timer>),
    ) {
        let slot = &mut self.slots[node.index()];
        let mut ctx = Ctx::new(node, self.now_us, &mut self.rng);
        f(&mut slot.actor, &mut ctx);
        let mut stop = false;
        for cmd in ctx.into_commands() {
            match cmd {
                Command::Send { dst, msg } => self.send(node, dst, msg, rec),
                Command::SetTimer { timer, after_us } => {
                    let at_us = self.now_us + after_us;
                    self.disarm(node, &timer);
                    if let Some(key) = self.push_event(at_us, Event::Timer(node, timer.clone())) {
                        self.slots[node.index()].timers.push((timer.clone(), key));
                        rec.timers.push(TimerRecord::Set { timer, at_us });
                    } else {
                        rec.kernel_notes.push(bound_note(&self.bounds));
                    }
                }
                Command::CancelTimer { timer } => {
                    if self.disarm(node, &timer) {
                        rec.timers.push(TimerRecord::Cancel { timer });
                    }
                }
                Command::Note(n) => rec.notes.push(n),
                Command::Stop => stop = true,
            }
        }
        if stop && self.is_up(node) {
            self.last_fault_change_us = self.now_us;
            rec.kernel_notes.push(format!("{node} stops (clean exit)"));
            self.crash(node, rec);
        }
    }

    fn disarm(&mut self, node: NodeId, timer: &A::Timer) -> bool {
        let timers = &mut self.slots[node.index()].timers;
        match timers.iter().position(|(t, _)| t == timer) {
            Some(i) => {
                let (_, key) = timers.remove(i);
                self.queue.remove(&key);
                true
            }
            None => false,
        }
    }

    fn send(
        &mut self,
        src: NodeId,
        dst: NodeId,
        msg: A::Msg,
        rec: &mut StepRecord<A::Msg, A::Timer>,
    ) {
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        let link = (src, dst);
        let fate = if dst.index() >= self.slots.len() {
            SendFate::Lost(LossReason::NodeDown)
        } else if self.queue.len() >= self.bounds.max_queue {
            SendFate::Lost(LossReason::BoundReached)
        } else {
            match self.net.route(link, self.now_us, &mut self.rng) {
                Route::Lost(r) => SendFate::Lost(r),
                Route::Hold => {
                    self.put_flight(id, src, dst, &msg, None);
                    SendFate::Held
                }
                Route::Deliver { at_us, copy_at_us } => {
                    self.put_flight(id, src, dst, &msg, Some(at_us));
                    let copy = copy_at_us.map(|c| {
                        let cid = self.next_msg_id;
                        self.next_msg_id += 1;
                        self.put_flight(cid, src, dst, &msg, Some(c));
                        (cid, c)
                    });
                    SendFate::Queued { at_us, copy }
                }
            }
        };
        if matches!(fate, SendFate::Lost(LossReason::BoundReached)) {
            rec.kernel_notes
                .push(format!("bound reached: message #{id} to {dst} not sent"));
        }
        rec.sends.push(SendRecord {
            id,
            src,
            dst,
            msg,
            fate,
        });
    }

    fn put_flight(
        &mut self,
        id: MsgId,
        src: NodeId,
        dst: NodeId,
        msg: &A::Msg,
        at_us: Option<TimeUs>,
    ) {
        let key = at_us.and_then(|t| self.push_event(t, Event::Deliver(id)));
        let flight = Flight {
            id,
            src,
            dst,
            msg: msg.clone(),
            sent_us: self.now_us,
            deliver_us: at_us.unwrap_or(self.now_us),
            held: key.is_none(),
        };
        self.flights.insert(id, (flight, key));
    }

    fn push_event(&mut self, at_us: TimeUs, event: Event<A::Msg, A::Timer>) -> Option<QueueKey> {
        // Inputs and node starts are set-up or a person's action, never protocol growth.
        let exempt = matches!(event, Event::Input(_) | Event::Start(_));
        if self.queue.len() >= self.bounds.max_queue && !exempt {
            return None;
        }
        self.seq += 1;
        let key = (at_us, self.seq);
        self.queue.insert(key, event);
        Some(key)
    }

    /// Applies an input; returns kernel notes for inputs that had nothing to act on.
    fn apply_input(&mut self, input: Input<A::Msg>, rec: &mut StepRecord<A::Msg, A::Timer>) {
        if input.is_fault_or_repair() {
            self.last_fault_change_us = self.now_us;
        }
        match input {
            Input::Crash(n) => self.crash(n, rec),
            Input::Restart(n) => {
                if n.index() < self.slots.len() && !self.slots[n.index()].up {
                    self.slots[n.index()].up = true;
                    self.slots[n.index()].started = true;
                    self.run_handler(n, rec, |a, ctx| a.on_start(ctx));
                } else {
                    rec.kernel_notes.push(format!("{n} is not down"));
                }
            }
            Input::Start(n) => {
                if n.index() < self.slots.len() && !self.slots[n.index()].started {
                    self.slots[n.index()].up = true;
                    self.slots[n.index()].started = true;
                    self.run_handler(n, rec, |a, ctx| a.on_start(ctx));
                } else {
                    rec.kernel_notes.push(format!("{n} has already started"));
                }
            }
            Input::Partition(groups) => self.net.partition(&groups),
            Input::Heal => self.net.heal_all(),
            Input::HealNode(n) => self.net.heal_node(n),
            Input::CutLink(a, b) => self.net.cut_pair(a, b),
            Input::HealLink(a, b) => self.net.heal_pair(a, b),
            Input::Drop(id) => match self.flights.remove(&id) {
                Some((f, key)) => {
                    if let Some(k) = key {
                        self.queue.remove(&k);
                    }
                    self.net.left_wire((f.src, f.dst));
                }
                None => rec
                    .kernel_notes
                    .push(format!("message #{id} is not on the wire")),
            },
            Input::Hold(id) => self.hold_message(id, rec),
            Input::Release(id) => {
                match self.flights.get(&id).map(|(f, _)| (f.src, f.dst, f.held)) {
                    Some((src, dst, _)) if self.net.is_held((src, dst)) => {
                        self.release_link((src, dst))
                    }
                    Some((_, _, true)) => self.release_ids(&[id]),
                    // Re-queueing a message that is already queued would deliver it twice.
                    Some((_, _, false)) => {
                        rec.kernel_notes.push(format!("message #{id} is not held"))
                    }
                    None => rec
                        .kernel_notes
                        .push(format!("message #{id} is not on the wire")),
                }
            }
            Input::HoldLink(a, b) => self.hold_link((a, b), 0),
            Input::ReleaseLink(a, b) => self.release_link((a, b)),
            Input::SetLink(a, b, c) => self.net.set_config((a, b), c),
            Input::SetDefaultLink(c) => self.net.set_default_config(c),
            Input::Deliver(n, msg) => {
                if self.is_up(n) {
                    self.run_handler(n, rec, |a, ctx| a.on_message(ctx, NodeId::ENV, msg));
                } else {
                    rec.kernel_notes
                        .push(format!("{n} is down: message ignored"));
                }
            }
        }
    }

    fn crash(&mut self, n: NodeId, rec: &mut StepRecord<A::Msg, A::Timer>) {
        let Some(slot) = self.slots.get_mut(n.index()) else {
            rec.kernel_notes.push(format!("{n} does not exist"));
            return;
        };
        if !slot.up {
            rec.kernel_notes.push(format!("{n} is already down"));
            return;
        }
        slot.up = false;
        slot.actor.on_crash();
        for (_, key) in std::mem::take(&mut slot.timers) {
            self.queue.remove(&key);
        }
    }

    fn hold_message(&mut self, id: MsgId, rec: &mut StepRecord<A::Msg, A::Timer>) {
        let Some((f, _)) = self.flights.get(&id) else {
            rec.kernel_notes
                .push(format!("message #{id} is not on the wire"));
            return;
        };
        let link = (f.src, f.dst);
        if self.net.config(link).fifo {
            self.hold_link(link, id);
        } else {
            self.unqueue(id);
        }
    }

    /// Holds `link` and takes every message on it with id >= `from_id` off the queue.
    fn hold_link(&mut self, link: Link, from_id: MsgId) {
        self.net.hold(link);
        let ids: Vec<MsgId> = self
            .flights
            .range(from_id..)
            .filter(|(_, (f, _))| (f.src, f.dst) == link)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.unqueue(id);
        }
    }

    fn unqueue(&mut self, id: MsgId) {
        if let Some((f, key)) = self.flights.get_mut(&id) {
            if let Some(k) = key.take() {
                self.queue.remove(&k);
            }
            f.held = true;
        }
    }

    fn release_link(&mut self, link: Link) {
        self.net.release(link);
        let ids: Vec<MsgId> = self
            .flights
            .iter()
            .filter(|(_, (f, _))| f.held && (f.src, f.dst) == link)
            .map(|(id, _)| *id)
            .collect();
        self.release_ids(&ids);
    }

    fn release_ids(&mut self, ids: &[MsgId]) {
        for &id in ids {
            let Some(link) = self.flights.get(&id).map(|(f, _)| (f.src, f.dst)) else {
                continue;
            };
            let at = self.net.release_time(link, self.now_us, &mut self.rng);
            let key = self.push_event(at, Event::Deliver(id));
            if let Some((f, k)) = self.flights.get_mut(&id) {
                f.held = key.is_none();
                f.deliver_us = at;
                *k = key;
            }
        }
    }
}

fn bound_note(b: &Bounds) -> String {
    format!("bound reached: event queue full ({} events)", b.max_queue)
}

impl<M: Message, T: TimerKey> StepRecord<M, T> {
    fn with_input<A>(mut self, world: &mut World<A>, input: Input<M>) -> Self
    where
        A: Actor<Msg = M, Timer = T>,
    {
        world.apply_input(input, &mut self);
        self
    }
}
