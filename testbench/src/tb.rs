//! The scheduler: a single-threaded executor whose only notion of time is the clock.
use anyhow::{anyhow, bail, Context as _, Result};
use ferronic_sim::{PortId, Simulator};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

type Task = Pin<Box<dyn Future<Output = Result<()>>>>;

/// How a testbench run is set up. `from_env` lets a failing run be replayed:
/// `FERRONIC_SEED=N` fixes the randomness, `FERRONIC_WAVES=DIR` keeps a VCD on failure,
/// `FERRONIC_LOG=1` prints the log as it goes.
#[derive(Clone, Debug)]
pub struct TbConfig {
    pub seed: u64,
    /// Give up (and fail) after this many cycles.
    pub max_cycles: u64,
    /// Record a waveform at this path; it is kept if the run fails, and removed if it
    /// passes unless `keep_waves`.
    pub waves: Option<PathBuf>,
    /// Keep the waveform of a run that passes too: a run to look at, not only to debug.
    pub keep_waves: bool,
    pub echo_log: bool,
}

impl TbConfig {
    pub fn new(seed: u64) -> Self {
        Self { seed, max_cycles: 1_000_000, waves: None, keep_waves: false, echo_log: false }
    }
    /// `test_name` names the waveform file.
    pub fn from_env(test_name: &str, default_seed: u64) -> Self {
        let mut cfg = Self::new(default_seed);
        if let Some(seed) = std::env::var("FERRONIC_SEED").ok().and_then(|s| s.parse().ok()) {
            cfg.seed = seed;
        }
        if let Some(dir) = std::env::var_os("FERRONIC_WAVES") {
            cfg.waves = Some(PathBuf::from(dir).join(format!("{test_name}.vcd")));
        }
        cfg.echo_log = std::env::var_os("FERRONIC_LOG").is_some();
        cfg
    }
}

/// A wake phase that time never reaches: the task waits for another task to finish.
const NEVER: u64 = u64::MAX;

/// A task and when to poll it again.
struct Scheduled {
    task: Task,
    wake_at: u64,
    on_completion: bool,
}

/// Log lines kept for the failure report.
const LOG_TAIL: usize = 40;

struct Inner {
    sim: RefCell<Box<dyn Simulator>>,
    /// 2 × cycle, +1 in the sample phase.
    phase: Cell<u64>,
    spawned: RefCell<Vec<Task>>,
    /// Inputs set in the read-only phase, applied right after the edge.
    after_edge: RefCell<Vec<(PortId, u64)>>,
    log: RefCell<VecDeque<String>>,
    echo_log: bool,
    seed: u64,
    streams: Cell<u64>,
    /// When the task being polled wants polling again: the earliest phase any future it
    /// waits on named (`PhaseWait`, a timeout). Futures that name nothing leave it `None`,
    /// and their task is polled every phase.
    wake_at: Cell<Option<u64>>,
    /// Whether the task being polled waits for another task to finish (a join).
    wake_on_completion: Cell<bool>,
}

/// The handle every task holds: time, ports, spawning, logging, randomness.
#[derive(Clone)]
pub struct Tb(Rc<Inner>);

impl Tb {
    pub fn new(sim: Box<dyn Simulator>, config: &TbConfig) -> Self {
        Tb(Rc::new(Inner {
            sim: RefCell::new(sim),
            phase: Cell::new(0),
            spawned: RefCell::new(Vec::new()),
            after_edge: RefCell::new(Vec::new()),
            log: RefCell::new(VecDeque::new()),
            echo_log: config.echo_log,
            seed: config.seed,
            streams: Cell::new(0),
            wake_at: Cell::new(None),
            wake_on_completion: Cell::new(false),
        }))
    }

    pub fn cycle(&self) -> u64 {
        self.0.phase.get() / 2
    }
    fn in_sample_phase(&self) -> bool {
        self.0.phase.get() % 2 == 1
    }

    pub fn port(&self, name: &str) -> Result<PortId> {
        self.0.sim.borrow().port(name)
    }
    pub fn input(&self, name: &str) -> Result<PortId> {
        self.0.sim.borrow().input(name)
    }
    #[inline]
    pub fn get(&self, port: PortId) -> u64 {
        self.0.sim.borrow_mut().get(port)
    }
    /// Reads `N` ports in one call.
    #[inline]
    pub fn get_many<const N: usize>(&self, ports: &[PortId; N]) -> [u64; N] {
        let mut out = [0u64; N];
        self.0.sim.borrow_mut().get_many(ports, &mut out);
        out
    }
    #[inline]
    pub fn set(&self, port: PortId, value: u64) {
        if self.in_sample_phase() {
            // Like a nonblocking assignment: what the edge samples stays as it is, and the
            // new value appears right after the edge. A model can then sample and drive in
            // one step per cycle.
            self.0.after_edge.borrow_mut().push((port, value));
        } else {
            self.0.sim.borrow_mut().set(port, value);
        }
    }
    /// Direct access to the simulator, for what the port calls do not cover.
    pub fn with_sim<R>(&self, f: impl FnOnce(&mut dyn Simulator) -> R) -> R {
        f(self.0.sim.borrow_mut().as_mut())
    }
    pub fn backend_name(&self) -> &'static str {
        self.0.sim.borrow().backend_name()
    }

    /// A random generator for one consumer: seeded from the run's seed and the order in
    /// which consumers ask, so a run replays exactly from its seed.
    pub fn rng(&self) -> SmallRng {
        let stream = self.0.streams.get();
        self.0.streams.set(stream + 1);
        SmallRng::seed_from_u64(self.0.seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }
    pub fn seed(&self) -> u64 {
        self.0.seed
    }

    /// A line in the log, stamped with the simulated cycle.
    pub fn log(&self, message: impl AsRef<str>) {
        let line = format!("[cycle {:>8}] {}", self.cycle(), message.as_ref());
        if self.0.echo_log {
            eprintln!("{line}");
        }
        let mut log = self.0.log.borrow_mut();
        if log.len() == LOG_TAIL {
            log.pop_front();
        }
        log.push_back(line);
    }

    /// Resume in the drive phase right after the next rising edge.
    pub fn rising_edge(&self) -> PhaseWait {
        let p = self.0.phase.get();
        PhaseWait { tb: self.clone(), target: (p / 2 + 1) * 2 }
    }
    /// Resume in the next read-only phase: values as the coming edge will sample them.
    pub fn read_only(&self) -> PhaseWait {
        let p = self.0.phase.get();
        let target = if p % 2 == 0 { p + 1 } else { p + 2 };
        PhaseWait { tb: self.clone(), target }
    }
    /// Resume in a drive phase: now if already in one, else after the next edge. Code that
    /// sets inputs for a cycle and then awaits the edge starts with this.
    pub async fn drive_phase(&self) {
        if self.in_sample_phase() {
            self.rising_edge().await;
        }
    }
    /// `n` rising edges.
    pub async fn cycles(&self, n: u64) {
        for _ in 0..n {
            self.rising_edge().await;
        }
    }
    /// Hold `rst` high for `cycles` edges, then release it.
    pub async fn reset(&self, cycles: u64) -> Result<()> {
        let rst = self.input("rst")?;
        self.set(rst, 1);
        self.cycles(cycles).await;
        self.set(rst, 0);
        Ok(())
    }
    /// Wait until `condition` holds in a read-only phase, for at most `timeout` cycles.
    pub async fn wait_until(&self, timeout: u64, what: &str, mut condition: impl FnMut(&Tb) -> bool) -> Result<()> {
        let start = self.cycle();
        loop {
            self.read_only().await;
            if condition(self) {
                return Ok(());
            }
            if self.cycle() - start >= timeout {
                bail!("timed out after {timeout} cycles waiting for {what}");
            }
        }
    }
    /// Run `future`, failing if it takes more than `timeout` cycles.
    pub async fn with_timeout<T>(&self, timeout: u64, what: &str, future: impl Future<Output = T>) -> Result<T> {
        let deadline = self.cycle() + timeout;
        let mut future = std::pin::pin!(future);
        std::future::poll_fn(|cx| {
            if let Poll::Ready(v) = future.as_mut().poll(cx) {
                return Poll::Ready(Ok(v));
            }
            if self.cycle() >= deadline {
                return Poll::Ready(Err(anyhow!("timed out after {timeout} cycles: {what}")));
            }
            self.wake_no_later_than(deadline * 2);
            Poll::Pending
        })
        .await
    }

    /// Ask to be polled again no later than `phase` (see `Inner::wake_at`).
    fn wake_no_later_than(&self, phase: u64) {
        let inner = &self.0;
        inner.wake_at.set(Some(inner.wake_at.get().map_or(phase, |w| w.min(phase))));
    }

    /// Start a concurrent task; its error fails the whole run.
    pub fn spawn<T: 'static>(&self, future: impl Future<Output = Result<T>> + 'static) -> JoinHandle<T> {
        let slot = Rc::new(RefCell::new(None));
        let result = Rc::clone(&slot);
        self.0.spawned.borrow_mut().push(Box::pin(async move {
            let value = future.await?;
            *result.borrow_mut() = Some(value);
            Ok(())
        }));
        JoinHandle { slot, tb: self.clone() }
    }

    /// Run `main` (with every task it spawns) until it returns. On failure, the error says
    /// when and with which seed, and carries the log's last lines and the waveform's path.
    pub fn run<T>(sim: Box<dyn Simulator>, config: &TbConfig, main: impl FnOnce(Tb) -> T) -> Result<()>
    where
        T: Future<Output = Result<()>> + 'static,
    {
        let mut sim = sim;
        if let Some(path) = &config.waves {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {} for the waveform", dir.display()))?;
            }
            sim.start_trace(path).with_context(|| format!("recording a waveform in {}", path.display()))?;
        }
        let tb = Tb::new(sim, config);
        let outcome = tb.schedule(Box::pin(main(tb.clone())), config.max_cycles);
        match outcome {
            Ok(()) => {
                if let Some(path) = config.waves.as_ref().filter(|_| !config.keep_waves) {
                    let _ = std::fs::remove_file(path);
                }
                Ok(())
            }
            Err(e) => {
                let log: Vec<String> = tb.0.log.borrow().iter().cloned().collect();
                let waves = match &config.waves {
                    Some(p) => format!("\nwaveform: {}", p.display()),
                    None => "\n(set FERRONIC_WAVES=DIR to keep a waveform)".to_string(),
                };
                Err(e.context(format!(
                    "test failed at cycle {} on {} (seed {}; replay with FERRONIC_SEED={}){waves}\nlast log lines:\n{}",
                    tb.cycle(),
                    tb.backend_name(),
                    config.seed,
                    config.seed,
                    log.join("\n")
                )))
            }
        }
    }

    fn schedule(&self, main: Task, max_cycles: u64) -> Result<()> {
        let fresh = |task| Some(Scheduled { task, wake_at: 0, on_completion: false });
        let mut tasks: Vec<Option<Scheduled>> = vec![fresh(main)];
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            let phase = self.0.phase.get();
            // Poll until nothing new happens in this phase: a task that finishes may
            // release another that joins it, and spawned tasks start at once.
            loop {
                let mut finished = false;
                for (index, slot) in tasks.iter_mut().enumerate() {
                    let Some(entry) = slot else { continue };
                    if entry.wake_at > phase {
                        continue;
                    }
                    self.0.wake_at.set(None);
                    self.0.wake_on_completion.set(false);
                    match entry.task.as_mut().poll(&mut cx) {
                        Poll::Ready(result) => {
                            result?;
                            if index == 0 {
                                return Ok(());
                            }
                            *slot = None;
                            finished = true;
                        }
                        Poll::Pending => {
                            entry.on_completion = self.0.wake_on_completion.get();
                            entry.wake_at = match self.0.wake_at.get() {
                                Some(phase) => phase,
                                None if entry.on_completion => NEVER,
                                None => 0,
                            };
                        }
                    }
                }
                if finished {
                    // Whoever joins a task must look again.
                    for entry in tasks.iter_mut().flatten().filter(|e| e.on_completion) {
                        entry.wake_at = 0;
                    }
                }
                let spawned = std::mem::take(&mut *self.0.spawned.borrow_mut());
                let started = !spawned.is_empty();
                tasks.extend(spawned.into_iter().map(fresh));
                if !finished && !started {
                    break;
                }
            }
            if phase % 2 == 1 {
                if phase / 2 >= max_cycles {
                    bail!("the run reached its limit of {max_cycles} cycles");
                }
                let mut sim = self.0.sim.borrow_mut();
                sim.tick();
                for (port, value) in self.0.after_edge.borrow_mut().drain(..) {
                    sim.set(port, value);
                }
            }
            self.0.phase.set(phase + 1);
        }
    }
}

/// Completes when the scheduler reaches a given phase.
pub struct PhaseWait {
    tb: Tb,
    target: u64,
}

impl Future for PhaseWait {
    type Output = ();
    #[inline]
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.tb.0.phase.get() >= self.target {
            Poll::Ready(())
        } else {
            self.tb.wake_no_later_than(self.target);
            Poll::Pending
        }
    }
}

/// The result of a spawned task, awaited with `.join()`.
pub struct JoinHandle<T> {
    slot: Rc<RefCell<Option<T>>>,
    tb: Tb,
}

impl<T> JoinHandle<T> {
    pub async fn join(self) -> T {
        std::future::poll_fn(|_| match self.slot.borrow_mut().take() {
            Some(v) => Poll::Ready(v),
            None => {
                self.tb.0.wake_on_completion.set(true);
                Poll::Pending
            }
        })
        .await
    }
    pub fn is_finished(&self) -> bool {
        self.slot.borrow().is_some()
    }
}
