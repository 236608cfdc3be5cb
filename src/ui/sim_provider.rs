//! The simulation context: one [`Run`] owned by the provider, handed to components as a
//! small [`SimHandle`] (`frame`, `cursor`, `len`, `step`, `back`, `seek`, `play`, `pause`,
//! `inject`). Playback (a `requestAnimationFrame` loop), keeping the URL in step and frame
//! timing live here as hooks, so components stay pure functions of what they are given.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo::render::{request_animation_frame, AnimationFrame};
use gloo::timers::callback::Timeout;
use yew::prelude::*;

use crate::cluster::Msg;
use crate::sim::{Input, TimeUs};
use crate::view::dots::{move_dots, Dot};
use crate::view::run::{scenario_names, Run, RunSpec};
use crate::view::state::{speed_of, Action};
use crate::view::{playback, url, Frame};

use super::dom;
use super::frame_stats::FrameStats;
use super::view_state::{use_view, ViewHandle};

/// Longest wall-clock gap one frame may account for (a hidden tab resumes gently).
const MAX_FRAME_WALL_MS: f64 = 100.0;
/// Time one frame may spend stepping the simulation before it shows what it has.
const STEP_BUDGET_MS: f64 = 8.0;
/// Least time between two URL updates.
const URL_THROTTLE_MS: u32 = 400;

/// What the provider last drew.
struct Cache {
    frame: Rc<Frame>,
    dots: Rc<Vec<Dot>>,
    version: u64,
    display_us: TimeUs,
}

impl Cache {
    fn new(run: &Run) -> Cache {
        let frame = Rc::new(run.frame());
        Cache {
            dots: Rc::new(frame.scene.dots.clone()),
            frame,
            version: run.version(),
            display_us: run.display_us(),
        }
    }

    fn refresh(&mut self, run: &Run) {
        if run.version() != self.version {
            self.frame = Rc::new(run.frame());
            self.version = run.version();
        }
        self.display_us = run.display_us();
        let mut dots = self.frame.scene.dots.clone();
        if self.display_us != self.frame.scene.time_us {
            move_dots(&self.frame.layout, &mut dots, self.display_us);
        }
        self.dots = Rc::new(dots);
    }
}

/// The simulation as components see it.
#[derive(Clone)]
pub struct SimHandle {
    run: Rc<RefCell<Run>>,
    /// The picture at the cursor.
    pub frame: Rc<Frame>,
    /// Messages on the wire at display time.
    pub dots: Rc<Vec<Dot>>,
    /// Changes with every cursor move, fork or input.
    pub version: u64,
    pub display_us: TimeUs,
    refresh: Callback<bool>,
    view: ViewHandle,
}

impl PartialEq for SimHandle {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
            && self.display_us == other.display_us
            && Rc::ptr_eq(&self.frame, &other.frame)
            && Rc::ptr_eq(&self.dots, &other.dots)
    }
}

impl SimHandle {
    /// The current step.
    pub fn cursor(&self) -> u64 {
        self.frame.scene.step
    }

    /// Steps recorded.
    pub fn len(&self) -> u64 {
        self.frame.scene.len
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One event forward.
    pub fn step(&self) {
        self.run.borrow_mut().step();
        self.refresh.emit(false);
    }

    /// One event back.
    pub fn back(&self) {
        self.run.borrow_mut().back();
        self.refresh.emit(false);
    }

    /// Goes to step `n`.
    pub fn seek(&self, n: u64) {
        self.run.borrow_mut().seek(n);
        self.refresh.emit(false);
    }

    /// Starts playback.
    pub fn play(&self) {
        self.view.dispatch(Action::Play);
    }

    /// Stops playback.
    pub fn pause(&self) {
        self.view.dispatch(Action::Pause);
    }

    /// Gives an input (a fault, a repair, an expiry) and applies it at once.
    pub fn inject(&self, input: Input<Msg>) {
        self.run.borrow_mut().inject(input);
        self.refresh.emit(false);
    }

    /// Starts a new run.
    pub fn rebuild(&self, spec: RunSpec) -> Result<(), String> {
        let fresh = Run::new(spec)?;
        *self.run.borrow_mut() = fresh;
        self.view.dispatch(Action::Rebuilt);
        // A new run counts its versions from 0 again: redraw from scratch.
        self.refresh.emit(true);
        Ok(())
    }

    /// What the run was built from.
    pub fn spec(&self) -> RunSpec {
        self.run.borrow().spec().clone()
    }

    /// Reads the run (for panels that need more than the frame).
    pub fn with_run<R>(&self, f: impl FnOnce(&Run) -> R) -> R {
        f(&self.run.borrow())
    }
}

/// Props for [`SimProvider`].
#[derive(Properties, PartialEq)]
pub struct SimProviderProps {
    pub children: Html,
}

/// Owns the run; builds it from the URL on first render.
#[component]
pub fn SimProvider(props: &SimProviderProps) -> Html {
    let view = use_view();
    let startup = use_mut_ref(|| None::<(Vec<String>, crate::view::Panel)>);
    let run = {
        let startup = startup.clone();
        use_mut_ref(move || {
            let decoded = url::decode(&dom::query(), &scenario_names());
            let (run, more) = Run::from_url(&decoded.state);
            let mut problems = decoded.problems;
            problems.extend(more);
            *startup.borrow_mut() = Some((problems, decoded.state.panel));
            run
        })
    };
    let cache = {
        let run = run.clone();
        use_mut_ref(move || Cache::new(&run.borrow()))
    };
    let force = use_force_update();
    let refresh = {
        let (run, cache) = (run.clone(), cache.clone());
        use_callback((), move |new_run: bool, _| {
            if new_run {
                *cache.borrow_mut() = Cache::new(&run.borrow());
            } else {
                cache.borrow_mut().refresh(&run.borrow());
            }
            force.force_update();
        })
    };

    // Once: open the URL's panel and say what was wrong with the URL.
    {
        let view = view.clone();
        use_effect_with((), move |_| {
            if let Some((problems, panel)) = startup.borrow_mut().take() {
                view.dispatch(Action::SetPanel(panel));
                if !problems.is_empty() {
                    view.dispatch(Action::Notify(problems));
                }
            }
        });
    }

    let stats = use_mut_ref(FrameStats::default);
    let pending = use_mut_ref(|| None::<(f64, u32)>);
    use_playback(&run, &refresh, &view, &pending);
    use_url_sync(&run, &view);
    // After every render: close the timing of a frame the playback loop started.
    {
        let (pending, stats) = (pending.clone(), stats.clone());
        use_effect(move || {
            if let Some((t0, steps)) = pending.borrow_mut().take() {
                stats.borrow_mut().record(dom::now_ms() - t0, steps);
            }
        });
    }

    let c = cache.borrow();
    let handle = SimHandle {
        run: run.clone(),
        frame: c.frame.clone(),
        dots: c.dots.clone(),
        version: c.version,
        display_us: c.display_us,
        refresh,
        view,
    };
    html! {
        <ContextProvider<SimHandle> context={handle}>
            { props.children.clone() }
        </ContextProvider<SimHandle>>
    }
}

/// The simulation context of the nearest provider.
#[hook]
pub fn use_sim() -> SimHandle {
    use_context::<SimHandle>().expect("a SimProvider above this component")
}

/// The playback loop's state, shared with its animation-frame callbacks.
struct Loop {
    active: Cell<bool>,
    raf: RefCell<Option<AnimationFrame>>,
    last_ts: Cell<Option<f64>>,
    since_step_ms: Cell<f64>,
    speed: f64,
    reduced: bool,
    run: Rc<RefCell<Run>>,
    refresh: Callback<bool>,
    view: ViewHandle,
    pending: Rc<RefCell<Option<(f64, u32)>>>,
}

fn schedule(l: &Rc<Loop>) {
    let next = l.clone();
    let raf = request_animation_frame(move |ts| {
        on_frame(&next, ts);
        if next.active.get() {
            schedule(&next);
        }
    });
    *l.raf.borrow_mut() = Some(raf);
}

fn on_frame(l: &Loop, ts: f64) {
    let wall = l
        .last_ts
        .get()
        .map_or(0.0, |t| (ts - t).clamp(0.0, MAX_FRAME_WALL_MS));
    l.last_ts.set(Some(ts));
    let t0 = dom::now_ms();
    let (steps, ended) = if l.reduced {
        let since = l.since_step_ms.get() + wall;
        if playback::reduced_motion_due(since, l.speed) {
            l.since_step_ms.set(0.0);
            let ok = l.run.borrow_mut().tick();
            (u32::from(ok), !ok)
        } else {
            l.since_step_ms.set(since);
            return;
        }
    } else {
        let deadline = t0 + STEP_BUDGET_MS;
        let a = l
            .run
            .borrow_mut()
            .advance(wall, l.speed, &|| dom::now_ms() > deadline);
        (a.steps, a.ended)
    };
    *l.pending.borrow_mut() = Some((t0, steps));
    l.refresh.emit(false);
    if ended {
        l.active.set(false);
        l.view.dispatch(Action::Pause);
        l.view.dispatch(Action::Notify(vec![
            "The run has nothing left to do: every node is idle.".into(),
        ]));
    }
}

/// Runs the animation loop while the view state says "playing".
#[hook]
fn use_playback(
    run: &Rc<RefCell<Run>>,
    refresh: &Callback<bool>,
    view: &ViewHandle,
    pending: &Rc<RefCell<Option<(f64, u32)>>>,
) {
    let deps = (view.0.playing, view.0.speed_level);
    let (run, refresh, view, pending) =
        (run.clone(), refresh.clone(), view.clone(), pending.clone());
    use_effect_with(deps, move |&(playing, level)| {
        let l = playing.then(|| {
            let l = Rc::new(Loop {
                active: Cell::new(true),
                raf: RefCell::new(None),
                last_ts: Cell::new(None),
                since_step_ms: Cell::new(0.0),
                speed: speed_of(level),
                reduced: dom::prefers_reduced_motion(),
                run,
                refresh,
                view,
                pending,
            });
            schedule(&l);
            l
        });
        move || {
            if let Some(l) = l {
                l.active.set(false);
                l.raf.borrow_mut().take();
            }
        }
    });
}

/// Keeps the query string in step with the run (at most every [`URL_THROTTLE_MS`]).
#[hook]
fn use_url_sync(run: &Rc<RefCell<Run>>, view: &ViewHandle) {
    let timer = use_mut_ref(|| None::<Timeout>);
    let busy = use_mut_ref(|| Rc::new(Cell::new(false)));
    let panel = use_mut_ref(|| view.0.panel);
    *panel.borrow_mut() = view.0.panel;
    // A rebuilt run starts again at version 0: its spec tells it apart.
    let deps = (
        run.borrow().version(),
        run.borrow().spec().clone(),
        view.0.panel,
    );
    let run = run.clone();
    use_effect_with(deps, move |_| {
        let busy = busy.borrow().clone();
        if !busy.get() {
            busy.set(true);
            // Replacing the previous (already fired) timeout drops it; the new one writes
            // whatever the state is when it fires.
            *timer.borrow_mut() = Some(Timeout::new(URL_THROTTLE_MS, move || {
                let q = url::encode(&run.borrow().url_state(*panel.borrow()));
                dom::replace_query(&q);
                busy.set(false);
            }));
        }
    });
}
