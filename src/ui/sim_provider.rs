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
use crate::view::{playback, targets, url, Frame, Panel};

use super::dom;
use super::frame_stats::FrameStats;
use super::view_state::{ViewHandle, ViewStore};

/// Longest wall-clock gap one frame may account for (a hidden tab resumes gently).
const MAX_FRAME_WALL_MS: f64 = 100.0;
/// Time one frame may spend stepping the simulation before it shows what it has (the rest
/// of a frame goes to drawing; at 1000× the stepping always hits this cap).
const STEP_BUDGET_MS: f64 = 4.0;
/// What stepping and drawing together should stay under: when drawing gets slow (hundreds of
/// messages on the wire), stepping gets only what drawing leaves of it, down to
/// [`MIN_STEP_BUDGET_MS`], so frames stay short and the run slows down instead.
const FRAME_BUDGET_MS: f64 = 6.5;
const MIN_STEP_BUDGET_MS: f64 = 1.0;
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
    /// The view state and its dispatcher.
    pub view: ViewHandle,
}

impl PartialEq for SimHandle {
    fn eq(&self, other: &Self) -> bool {
        self.view == other.view
            && self.version == other.version
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

    /// Runs forward to the next hit of the target named `slug` (a bounded search), pauses
    /// there and says why it stopped.
    pub fn run_to(&self, slug: &str) {
        let Some(target) = targets::by_slug(slug) else {
            return;
        };
        self.view.dispatch(Action::Pause);
        let found = self
            .run
            .borrow_mut()
            .run_to(&target, targets::MAX_SEARCH_STEPS);
        self.refresh.emit(false);
        self.view.dispatch(Action::Found(found));
    }

    /// Gives an input (a fault, a repair, an expiry) and applies it at once.
    pub fn inject(&self, input: Input<Msg>) {
        self.run.borrow_mut().inject(input);
        self.refresh.emit(false);
    }

    /// Takes back the last input, if any.
    pub fn undo(&self) {
        self.run.borrow_mut().undo();
        self.refresh.emit(false);
    }

    /// Gives the last undone input again, if any.
    pub fn redo(&self) {
        self.run.borrow_mut().redo();
        self.refresh.emit(false);
    }

    /// Starts a new run.
    pub fn rebuild(&self, spec: RunSpec) -> Result<(), String> {
        let mut fresh = Run::new(spec)?;
        fresh.set_tall(self.run.borrow().tall());
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

/// The provider's state, in one cell (every distinct hook state type costs wasm).
struct Shell {
    run: Rc<RefCell<Run>>,
    cache: Cache,
    /// What the URL said was wrong, and the panel it opens; taken by the first effect.
    startup: Option<(Vec<String>, Panel)>,
    stats: FrameStats,
    /// Start time, end of stepping and steps of a frame the playback loop began, closed
    /// after rendering.
    pending: Option<(f64, f64, u32)>,
    /// Recent drawing time per frame (a moving average), which the stepping budget leaves.
    render_ms: f64,
    url_timer: Option<Timeout>,
    url_busy: bool,
    panel: Panel,
    refresh: Option<Callback<bool>>,
}

type ShellRef = Rc<RefCell<Shell>>;

/// Owns the run; builds it from the URL on first render.
#[component]
pub fn SimProvider(props: &SimProviderProps) -> Html {
    let view = use_reducer(ViewStore::default);
    let shell = use_mut_ref(|| {
        let decoded = url::decode(&dom::query(), &scenario_names());
        let (mut run, more) = Run::from_url(&decoded.state);
        run.set_tall(dom::narrow_screen());
        let mut problems = decoded.problems;
        problems.extend(more);
        Shell {
            cache: Cache::new(&run),
            run: Rc::new(RefCell::new(run)),
            startup: Some((problems, decoded.state.panel)),
            stats: FrameStats::default(),
            pending: None,
            render_ms: 0.0,
            url_timer: None,
            url_busy: false,
            panel: decoded.state.panel,
            refresh: None,
        }
    });
    let force = use_force_update();
    // Made once: redraws from the run (from scratch when the run itself was replaced).
    let refresh = {
        let existing = shell.borrow().refresh.clone();
        existing.unwrap_or_else(|| {
            let weak = Rc::downgrade(&shell);
            let cb = Callback::from(move |new_run: bool| {
                let Some(shell) = weak.upgrade() else { return };
                let mut sh = shell.borrow_mut();
                let run = sh.run.clone();
                let run = run.borrow();
                if new_run {
                    sh.cache = Cache::new(&run);
                } else {
                    sh.cache.refresh(&run);
                }
                force.force_update();
            });
            shell.borrow_mut().refresh = Some(cb.clone());
            cb
        })
    };

    // Once: open the URL's panel and say what was wrong with the URL.
    {
        let (view, shell) = (view.clone(), shell.clone());
        use_effect_with((), move |_| {
            if let Some((problems, panel)) = shell.borrow_mut().startup.take() {
                view.dispatch(Action::SetPanel(panel));
                if !problems.is_empty() {
                    view.dispatch(Action::Notify(problems));
                }
            }
        });
    }
    use_playback(&shell, &refresh, &view);
    use_tall_when_narrow(&shell, &refresh);
    use_url_sync(&shell, &view);
    // After every render: close the timing of a frame the playback loop started.
    {
        let shell = shell.clone();
        use_effect(move || {
            let mut sh = shell.borrow_mut();
            if let Some((t0, stepped, steps)) = sh.pending.take() {
                let now = dom::now_ms();
                sh.render_ms = 0.8 * sh.render_ms + 0.2 * (now - stepped);
                sh.stats.record(now - t0, steps);
            }
        });
    }

    let sh = shell.borrow();
    let handle = SimHandle {
        run: sh.run.clone(),
        frame: sh.cache.frame.clone(),
        dots: sh.cache.dots.clone(),
        version: sh.cache.version,
        display_us: sh.cache.display_us,
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
    skip: bool,
    reduced: bool,
    shell: ShellRef,
    refresh: Callback<bool>,
    view: ViewHandle,
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
    let run = l.shell.borrow().run.clone();
    let (steps, ended) = if l.reduced {
        let since = l.since_step_ms.get() + wall;
        if playback::reduced_motion_due(since, l.speed) {
            l.since_step_ms.set(0.0);
            let ok = run.borrow_mut().tick();
            (u32::from(ok), !ok)
        } else {
            l.since_step_ms.set(since);
            return;
        }
    } else {
        let render_ms = l.shell.borrow().render_ms;
        let budget = (FRAME_BUDGET_MS - render_ms).clamp(MIN_STEP_BUDGET_MS, STEP_BUDGET_MS);
        let deadline = t0 + budget;
        let mut run = run.borrow_mut();
        run.set_skip_quiet(l.skip);
        let a = run.advance(wall, l.speed, &|| dom::now_ms() > deadline);
        (a.steps, a.ended)
    };
    l.shell.borrow_mut().pending = Some((t0, dom::now_ms(), steps));
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
fn use_playback(shell: &ShellRef, refresh: &Callback<bool>, view: &ViewHandle) {
    let deps = (view.0.playing, view.0.speed_level, view.0.skip_quiet);
    let (shell, refresh, view) = (shell.clone(), refresh.clone(), view.clone());
    use_effect_with(deps, move |&(playing, level, skip)| {
        let l = playing.then(|| {
            let l = Rc::new(Loop {
                active: Cell::new(true),
                raf: RefCell::new(None),
                last_ts: Cell::new(None),
                since_step_ms: Cell::new(0.0),
                speed: speed_of(level),
                skip,
                reduced: dom::prefers_reduced_motion(),
                shell,
                refresh,
                view,
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
fn use_url_sync(shell: &ShellRef, view: &ViewHandle) {
    let run = shell.borrow().run.clone();
    shell.borrow_mut().panel = view.0.panel;
    // A rebuilt run starts again at version 0: its spec tells it apart.
    let deps = (
        run.borrow().version(),
        run.borrow().spec().clone(),
        view.0.panel,
    );
    let shell = shell.clone();
    use_effect_with(deps, move |_| {
        if shell.borrow().url_busy {
            return;
        }
        let sh = shell.clone();
        // Replacing the previous (already fired) timeout drops it; the new one writes
        // whatever the state is when it fires.
        let timer = Timeout::new(URL_THROTTLE_MS, move || {
            let mut s = sh.borrow_mut();
            let q = url::encode(&s.run.borrow().url_state(s.panel));
            dom::replace_query(&q);
            s.url_busy = false;
        });
        let mut s = shell.borrow_mut();
        s.url_busy = true;
        s.url_timer = Some(timer);
    });
}

/// Switches to the tall drawing when the window becomes narrow (a phone turned upright) and
/// back when it widens.
#[hook]
fn use_tall_when_narrow(shell: &ShellRef, refresh: &Callback<bool>) {
    let (shell, refresh) = (shell.clone(), refresh.clone());
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|w| {
            gloo::events::EventListener::new(&w, "resize", move |_| {
                let run = shell.borrow().run.clone();
                let narrow = dom::narrow_screen();
                if run.borrow().tall() != narrow {
                    run.borrow_mut().set_tall(narrow);
                    refresh.emit(false);
                }
            })
        });
        move || drop(listener)
    });
}
