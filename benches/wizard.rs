//! The wizard against the bars of SPEC §6, measured on the real release binary in a 100×30
//! pseudo-terminal: time to first frame, key-to-frame latency, idle CPU (Account and Tokens
//! screens) and resident memory. Not a criterion bench: every figure needs its own process
//! and a terminal, so this is a plain program (`harness = false`) that prints a table.
//!
//! ```sh
//! cargo build --release && cargo bench --bench wizard
//! ```
//!
//! The binary is `VONAGE_ONBOARD_BIN` when set, else the one cargo built for this bench
//! (`CARGO_BIN_EXE_vonage-onboard`, release settings), else `target/release/vonage-onboard`
//! under the package. Knobs: `WIZARD_BENCH_RUNS` (starts per mode, default 20),
//! `WIZARD_BENCH_KEYS` (keys typed, default 50), `WIZARD_BENCH_IDLE_SECS` (default 10).
//!
//! What the harness sees is what a terminal would show: the pty output goes through a small
//! VT100 screen model (cursor moves, erases, UTF-8; colours ignored), and every wait is for
//! text on that screen, with a timeout and the screen in the error. Only 127.0.0.1 is used:
//! the embedded sandbox, or `--api-base http://127.0.0.1:9`, which is never called.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};

const COLS: u16 = 100;
const ROWS: u16 = 30;
/// Longest any single wait may take (key generation and a sandbox round trip included).
const WAIT: Duration = Duration::from_secs(10);
/// The first frame holds the step bar; the wizard's own title of step 1 reads the same.
const FIRST_FRAME_TEXT: &str = "1 Account";
/// The Account form, drawn once the stored state has been read.
const ACCOUNT_FORM_TEXT: &str = "API secret";

type Res<T> = Result<T, String>;

fn main() {
    // `cargo bench` passes `--bench`; a filter argument other than ours means "not us".
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args
        .iter()
        .any(|a| !a.starts_with('-') && !"wizard".contains(a.as_str()))
    {
        return;
    }
    if let Err(e) = run() {
        eprintln!("wizard bench failed: {e}");
        std::process::exit(1);
    }
}

struct Knobs {
    runs: usize,
    keys: usize,
    idle: Duration,
}

fn knob(name: &str, default: u64) -> Res<u64> {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .map_err(|_| format!("{name}={v:?} is not a whole number")),
        Err(_) => Ok(default),
    }
}

fn run() -> Res<()> {
    let bin = binary()?;
    let knobs = Knobs {
        runs: knob("WIZARD_BENCH_RUNS", 20)?.max(1) as usize,
        keys: knob("WIZARD_BENCH_KEYS", 50)?.max(1) as usize,
        idle: Duration::from_secs(knob("WIZARD_BENCH_IDLE_SECS", 10)?.max(1)),
    };
    let tick = clock_ticks_per_second();
    println!("binary: {}", bin.display());
    println!(
        "pty {COLS}x{ROWS}, TERM=xterm-256color; clock ticks: {} per second{}",
        tick.0,
        if tick.1 { "" } else { " (assumed)" }
    );
    println!();

    let mut table = Table::default();

    // 1. Time to first frame, with and without the embedded sandbox.
    for (label, sandbox) in [
        ("--sandbox --home T", true),
        ("--home T --api-base http://127.0.0.1:9", false),
    ] {
        let (first, form) = first_frames(&bin, sandbox, knobs.runs)?;
        table.timing(
            &format!("first frame `{FIRST_FRAME_TEXT}` ({label})"),
            &first,
            "≤ 30 ms",
        );
        table.timing(&format!("  Account form drawn ({label})"), &form, "");
    }

    // 2. Key to frame: the API key field (focused and empty without stored credentials).
    let keys = key_latency(&bin, knobs.keys)?;
    table.timing(
        "key → echoed in API key field (no sandbox)",
        &keys,
        "≤ 16 ms",
    );

    // 3 and 4. Idle CPU and memory, Account then Tokens, in one --sandbox session.
    let session = drive_to_tokens(&bin, knobs.idle, tick.0)?;
    for (what, took) in &session.steps {
        table.single(&format!("  step: {what}"), *took, "");
    }
    for idle in &session.idle {
        table.idle(idle, knobs.idle);
    }
    for (screen, mem) in &session.memory {
        table.memory(screen, mem);
    }
    table.note(&format!(
        "Ctrl-C on Tokens: exited in {} with the terminal restored: {}",
        ms(session.quit.0),
        if session.quit.1 { "yes" } else { "NO" }
    ));
    table.print();
    Ok(())
}

/// The binary to measure; a clear error when there is none.
fn binary() -> Res<PathBuf> {
    if let Ok(path) = std::env::var("VONAGE_ONBOARD_BIN") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "VONAGE_ONBOARD_BIN={} is not a file",
                path.display()
            ))
        };
    }
    let candidates = [
        option_env!("CARGO_BIN_EXE_vonage-onboard").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/vonage-onboard")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!(
                "no release binary: run `cargo build --release` first (looked in {}/target/release), \
                 or set VONAGE_ONBOARD_BIN to the binary",
                env!("CARGO_MANIFEST_DIR")
            )
        })
}

/// `getconf CLK_TCK`, or 100 (and say it was assumed).
fn clock_ticks_per_second() -> (u64, bool) {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .map_or((100, false), |t| (t, true))
}

// ---------------------------------------------------------------------------------------------
// The measurements

/// `runs` fresh starts (plus one discarded warm-up): spawn → first frame, spawn → form.
fn first_frames(bin: &Path, sandbox: bool, runs: usize) -> Res<(Vec<Duration>, Vec<Duration>)> {
    let (mut first, mut form) = (Vec::new(), Vec::new());
    for i in 0..=runs {
        let home = TempHome::new()?;
        let mut w = Wizard::spawn(bin, &wizard_args(&home, sandbox), home.path())?;
        let shown = w.wait_for("the first frame", |s| s.contains(FIRST_FRAME_TEXT))?;
        let ready = w.wait_for("the Account form", |s| s.contains(ACCOUNT_FORM_TEXT))?;
        if i > 0 {
            first.push(shown - w.spawned);
            form.push(ready - w.spawned);
        }
        w.quit()?;
    }
    Ok((first, form))
}

fn wizard_args(home: &TempHome, sandbox: bool) -> Vec<String> {
    let mut args = vec!["--home".to_owned(), home.path().display().to_string()];
    if sandbox {
        args.push("--sandbox".into());
    } else {
        args.extend(["--api-base".into(), "http://127.0.0.1:9".into()]);
    }
    args
}

/// Types `count` characters into the empty, focused API key field, one at a time: from the
/// write to the pty until the field on screen shows everything typed so far.
fn key_latency(bin: &Path, count: usize) -> Res<Vec<Duration>> {
    let home = TempHome::new()?;
    let mut w = Wizard::spawn(bin, &wizard_args(&home, false), home.path())?;
    w.wait_for("the API key field with focus", |s| {
        s.line_with("› API key").is_some_and(|l| l.contains("[]"))
    })?;
    let alphabet: Vec<char> = ('a'..='z').chain('0'..='9').collect();
    let mut typed = String::new();
    let mut took = Vec::new();
    for i in 0..count {
        let c = alphabet[i % alphabet.len()];
        typed.push(c);
        let want = format!("[{typed}]");
        let sent = w.send(c.to_string().as_bytes())?;
        let shown = w.wait_for(&format!("{want} in the API key field"), |s| {
            s.line_with("› API key").is_some_and(|l| l.contains(&want))
        })?;
        took.push(shown - sent);
        // Human-ish spacing, so each key is drawn on its own.
        std::thread::sleep(Duration::from_millis(20));
    }
    w.quit()?;
    Ok(took)
}

struct Idle {
    screen: &'static str,
    cpu_ticks: u64,
    ticks_per_second: u64,
    wakeups: u64,
    /// Time on CPU summed over the threads (schedstat), finer than clock ticks.
    on_cpu: Duration,
    bytes: u64,
}

struct Memory {
    rss_kb: u64,
    hwm_kb: u64,
}

struct Session {
    steps: Vec<(&'static str, Duration)>,
    idle: Vec<Idle>,
    memory: Vec<(&'static str, Memory)>,
    /// How long Ctrl-C took to end the process, and whether the alternate screen was left.
    quit: (Duration, bool),
}

/// One `--sandbox` session: idle on Account, then through every step to a live token on
/// Tokens, idle there; memory on both screens.
fn drive_to_tokens(bin: &Path, idle_for: Duration, tick: u64) -> Res<Session> {
    let home = TempHome::new()?;
    let mut w = Wizard::spawn(bin, &wizard_args(&home, true), home.path())?;
    let mut steps = Vec::new();
    let mut idle = Vec::new();
    let mut memory = Vec::new();

    w.wait_for("the Account form with the sandbox's key", |s| {
        s.contains("› API secret") && !s.contains("[]")
    })?;
    idle.push(w.idle("Account (no countdown)", idle_for, tick)?);
    memory.push(("Account", w.memory()?));

    let t = w.send(b"\r")?;
    let done = w.wait_for("the application list after verifying", |s| {
        s.contains("+ Create a new application") && !s.contains("(listing…)") && !s.busy()
    })?;
    w.show();
    steps.push(("Enter: verify + list applications", done - t));

    let t = w.send(b"\r")?;
    let done = w.wait_for("the create form", |s| s.contains("RTC event URL"))?;
    w.show();
    steps.push(("Enter: open the create form", done - t));

    let t = w.send(b"\r")?;
    let done = w.wait_for("the created application", |s| {
        s.contains("is current.") && !s.busy()
    })?;
    w.show();
    steps.push(("Enter: key pair + create application", done - t));

    let t = w.send(b"\r")?;
    let done = w.wait_for("the users list", |s| {
        s.contains("3 Users") && s.contains("no users yet") && !s.busy()
    })?;
    w.show();
    steps.push(("Enter: Users + list users", done - t));

    w.send(b"alice")?;
    w.wait_for("alice typed", |s| {
        s.line_with("› Name").is_some_and(|l| l.contains("[alice]"))
    })?;
    let t = w.send(b"\r")?;
    let done = w.wait_for("alice created", |s| {
        s.contains("Created alice.") && !s.busy()
    })?;
    w.show();
    steps.push(("Enter: create user alice", done - t));

    let t = w.send(b"\r")?;
    let done = w.wait_for("the Tokens table", |s| {
        s.contains("4 Tokens ·") && s.line_with("alice").is_some_and(|l| l.contains("none"))
    })?;
    w.show();
    steps.push(("Enter on empty name: Tokens", done - t));

    let t = w.send(b"g")?;
    let done = w.wait_for("alice's token", |s| {
        s.line_with("alice")
            .is_some_and(|l| l.contains("valid for"))
    })?;
    w.show();
    steps.push(("g: mint alice's token", done - t));

    idle.push(w.idle("Tokens (1 Hz countdown)", idle_for, tick)?);
    memory.push(("Tokens", w.memory()?));
    let quit = w.quit()?;
    Ok(Session {
        steps,
        idle,
        memory,
        quit,
    })
}

// ---------------------------------------------------------------------------------------------
// The wizard in a pseudo-terminal

enum Output {
    Bytes(Instant, Vec<u8>),
    Closed,
}

struct Wizard {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    output: Receiver<Output>,
    screen: Screen,
    pid: u32,
    spawned: Instant,
    bytes: u64,
    closed: bool,
    // Kept open for the child's life (dropping the master hangs the terminal up).
    _master: Box<dyn MasterPty + Send>,
}

impl Wizard {
    fn spawn(bin: &Path, args: &[String], cwd: &Path) -> Res<Wizard> {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .map_err(|e| format!("could not open a pseudo-terminal: {e:#}"))?;
        let mut cmd = CommandBuilder::new(bin);
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env("TERM", "xterm-256color");
        // Nothing from the caller's environment steers the wizard, and no proxy sees 127.0.0.1.
        for var in [
            "VONAGE_ONBOARD_HOME",
            "VONAGE_ONBOARD_PROFILE",
            "VONAGE_API_BASE",
            "VONAGE_REGION",
            "VONAGE_API_KEY",
            "VONAGE_API_SECRET",
            "VONAGE_APPLICATION_ID",
            "VONAGE_PRIVATE_KEY_PATH",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        ] {
            cmd.env_remove(var);
        }
        let mut reader = pair
            .master
            .try_clone_reader()
            .map_err(|e| format!("pty reader: {e:#}"))?;
        let writer = pair
            .master
            .take_writer()
            .map_err(|e| format!("pty writer: {e:#}"))?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => {
                        let _ = tx.send(Output::Closed);
                        return;
                    }
                    Ok(n) => {
                        let at = Instant::now();
                        if tx.send(Output::Bytes(at, buf[..n].to_vec())).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        let spawned = Instant::now();
        let child = pair
            .slave
            .spawn_command(cmd)
            .map_err(|e| format!("could not start {}: {e:#}", bin.display()))?;
        drop(pair.slave);
        let pid = child.process_id().ok_or("the child has no process id")?;
        Ok(Wizard {
            child,
            writer,
            output: rx,
            screen: Screen::new(COLS as usize, ROWS as usize),
            pid,
            spawned,
            bytes: 0,
            closed: false,
            _master: pair.master,
        })
    }

    /// Writes input; returns when it was written.
    fn send(&mut self, bytes: &[u8]) -> Res<Instant> {
        let at = Instant::now();
        self.writer
            .write_all(bytes)
            .and_then(|_| self.writer.flush())
            .map_err(|e| format!("could not type into the wizard: {e}"))?;
        Ok(at)
    }

    fn take(&mut self, output: Output) -> Res<Option<Instant>> {
        match output {
            Output::Bytes(at, bytes) => {
                self.bytes += bytes.len() as u64;
                self.screen.feed(&bytes);
                for reply in std::mem::take(&mut self.screen.replies) {
                    self.send(&reply)?;
                }
                Ok(Some(at))
            }
            Output::Closed => {
                self.closed = true;
                Ok(None)
            }
        }
    }

    /// Reads output until the screen satisfies `ready`; returns when that output arrived.
    fn wait_for(&mut self, what: &str, ready: impl Fn(&Screen) -> bool) -> Res<Instant> {
        let deadline = Instant::now() + WAIT;
        if ready(&self.screen) {
            return Ok(Instant::now());
        }
        loop {
            if self.closed {
                return Err(format!(
                    "the wizard ended while waiting for {what} ({}); screen:\n{}",
                    self.status(),
                    self.screen.dump()
                ));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(output) => {
                    if let Some(at) = self.take(output)?
                        && ready(&self.screen)
                    {
                        return Ok(at);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "timed out after {} s waiting for {what}; screen:\n{}",
                        WAIT.as_secs(),
                        self.screen.dump()
                    ));
                }
                Err(RecvTimeoutError::Disconnected) => self.closed = true,
            }
        }
    }

    /// With `WIZARD_BENCH_SCREENS=1`, prints the screen (to stderr), to see what was driven.
    fn show(&self) {
        if std::env::var_os("WIZARD_BENCH_SCREENS").is_some() {
            eprintln!("{}\n", self.screen.dump());
        }
    }

    /// Whatever output is waiting, without blocking.
    fn drain(&mut self) -> Res<()> {
        while let Ok(output) = self.output.try_recv() {
            self.take(output)?;
        }
        Ok(())
    }

    fn status(&mut self) -> String {
        match self.child.try_wait() {
            Ok(Some(status)) => format!("exit {status:?}"),
            Ok(None) => "still running".into(),
            Err(e) => format!("status unknown: {e}"),
        }
    }

    /// `for` of no input: CPU ticks (whole process), thread wake-ups, bytes drawn.
    fn idle(&mut self, screen: &'static str, length: Duration, tick: u64) -> Res<Idle> {
        // Let whatever the last step started settle before the window opens.
        std::thread::sleep(Duration::from_millis(500));
        self.drain()?;
        let (cpu0, threads0, bytes0) = (cpu_ticks(self.pid)?, threads(self.pid), self.bytes);
        let end = Instant::now() + length;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.output.recv_timeout(left) {
                Ok(output) => {
                    self.take(output)?;
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(format!("the wizard ended while idle on {screen}"));
                }
            }
            if self.closed {
                return Err(format!("the wizard ended while idle on {screen}"));
            }
        }
        let (cpu1, threads1) = (cpu_ticks(self.pid)?, threads(self.pid));
        // Per thread: what it did in the window (a thread that ended in it is not counted).
        let (mut wakeups, mut on_cpu) = (0, 0);
        for (tid, now) in &threads1 {
            let before = threads0.get(tid).copied().unwrap_or_default();
            wakeups += now.switches.saturating_sub(before.switches);
            on_cpu += now.run_ns.saturating_sub(before.run_ns);
        }
        Ok(Idle {
            screen,
            cpu_ticks: cpu1.saturating_sub(cpu0),
            ticks_per_second: tick,
            wakeups,
            on_cpu: Duration::from_nanos(on_cpu),
            bytes: self.bytes - bytes0,
        })
    }

    fn memory(&self) -> Res<Memory> {
        let path = format!("/proc/{}/status", self.pid);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        let field = |name: &str| -> Res<u64> {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{path} has no {name}"))
        };
        Ok(Memory {
            rss_kb: field("VmRSS:")?,
            hwm_kb: field("VmHWM:")?,
        })
    }

    /// Ctrl-C, as a user quits; then SIGHUP, then SIGKILL if it lingers. Returns how long
    /// the exit took and whether the terminal was given back (alternate screen left).
    fn quit(mut self) -> Res<(Duration, bool)> {
        self.drain()?;
        let asked = self.send(b"\x03")?;
        let exited = self.wait_exit(Duration::from_secs(3));
        let took = asked.elapsed();
        if !exited {
            let _ = self.child.kill(); // SIGHUP, which the wizard treats as quit
            if !self.wait_exit(Duration::from_secs(2)) {
                force_kill(self.pid);
                let _ = self.child.wait();
            }
            return Err(format!(
                "Ctrl-C did not end the wizard within 3 s; screen:\n{}",
                self.screen.dump()
            ));
        }
        // The last output (restoring the terminal) may still be in the pipe.
        let until = Instant::now() + Duration::from_millis(300);
        while !self.closed && Instant::now() < until {
            match self.output.recv_timeout(Duration::from_millis(50)) {
                Ok(output) => {
                    self.take(output)?;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        Ok((took, self.screen.left_alternate))
    }

    fn wait_exit(&mut self, limit: Duration) -> bool {
        let until = Instant::now() + limit;
        loop {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            if Instant::now() >= until {
                return false;
            }
            // Keep the pty drained so a blocked write cannot hold the exit up.
            let _ = self.drain();
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for Wizard {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            if !self.wait_exit(Duration::from_secs(2)) {
                force_kill(self.pid);
            }
            let _ = self.child.wait();
        }
    }
}

/// SIGKILL by pid, through kill(1) (this crate forbids `unsafe`).
fn force_kill(pid: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status();
}

/// utime + stime of the whole process (all threads), in clock ticks.
fn cpu_ticks(pid: u32) -> Res<u64> {
    let path = format!("/proc/{pid}/stat");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    // Fields after "(comm)": state is field 3, utime 14, stime 15.
    let after = text
        .rfind(')')
        .map(|i| &text[i + 1..])
        .ok_or_else(|| format!("{path}: unexpected format"))?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |n: usize| -> Res<u64> {
        fields
            .get(n - 3)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{path}: no field {n}"))
    };
    Ok(field(14)? + field(15)?)
}

#[derive(Clone, Copy, Default)]
struct ThreadStat {
    /// Context switches, voluntary + involuntary: how often the thread ran.
    switches: u64,
    /// Nanoseconds on CPU (first field of schedstat).
    run_ns: u64,
}

/// Every thread of the process, by thread id.
fn threads(pid: u32) -> HashMap<String, ThreadStat> {
    let mut out = HashMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for task in tasks.flatten() {
        let tid = task.file_name().to_string_lossy().into_owned();
        let Ok(text) = std::fs::read_to_string(task.path().join("status")) else {
            continue;
        };
        let switches = text
            .lines()
            .filter(|l| l.contains("ctxt_switches:"))
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum();
        let run_ns = std::fs::read_to_string(task.path().join("schedstat"))
            .ok()
            .and_then(|t| t.split_whitespace().next()?.parse().ok())
            .unwrap_or(0);
        out.insert(tid, ThreadStat { switches, run_ns });
    }
    out
}

/// A fresh `--home`, removed on drop.
struct TempHome(tempfile::TempDir);

impl TempHome {
    fn new() -> Res<TempHome> {
        tempfile::Builder::new()
            .prefix("wizard-bench-")
            .tempdir()
            .map(TempHome)
            .map_err(|e| format!("could not make a temporary home: {e}"))
    }

    fn path(&self) -> &Path {
        self.0.path()
    }
}

// ---------------------------------------------------------------------------------------------
// A small VT100 screen: enough of what crossterm writes for ratatui (cursor moves, erases,
// SGR, alternate screen, UTF-8) to know what text is where.

#[derive(Clone, Copy, PartialEq)]
enum Parse {
    Ground,
    Escape,
    /// ESC ( or ESC ): one more byte names a character set.
    Charset,
    Csi,
    Osc,
    OscEscape,
}

struct Screen {
    cols: usize,
    rows: usize,
    cells: Vec<char>,
    row: usize,
    col: usize,
    saved: (usize, usize),
    state: Parse,
    params: String,
    utf8: Vec<u8>,
    /// Answers the program asked for (cursor position reports).
    replies: Vec<Vec<u8>>,
    left_alternate: bool,
}

impl Screen {
    fn new(cols: usize, rows: usize) -> Screen {
        Screen {
            cols,
            rows,
            cells: vec![' '; cols * rows],
            row: 0,
            col: 0,
            saved: (0, 0),
            state: Parse::Ground,
            params: String::new(),
            utf8: Vec::new(),
            replies: Vec::new(),
            left_alternate: false,
        }
    }

    fn line(&self, row: usize) -> String {
        self.cells[row * self.cols..(row + 1) * self.cols]
            .iter()
            .collect()
    }

    fn lines(&self) -> impl Iterator<Item = String> + '_ {
        (0..self.rows).map(|r| self.line(r))
    }

    /// The status line shows a request in flight (spinner and "(Esc cancels)").
    fn busy(&self) -> bool {
        self.contains("(Esc cancels)")
    }

    fn contains(&self, text: &str) -> bool {
        self.lines().any(|l| l.contains(text))
    }

    /// The first line holding `text`.
    fn line_with(&self, text: &str) -> Option<String> {
        self.lines().find(|l| l.contains(text))
    }

    fn dump(&self) -> String {
        self.lines()
            .map(|l| format!("  |{}|", l.trim_end()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
    }

    fn byte(&mut self, b: u8) {
        match self.state {
            Parse::Ground => self.ground(b),
            Parse::Escape => {
                self.state = Parse::Ground;
                match b {
                    b'[' => {
                        self.params.clear();
                        self.state = Parse::Csi;
                    }
                    b']' => self.state = Parse::Osc,
                    b'(' | b')' => self.state = Parse::Charset,
                    b'7' => self.saved = (self.row, self.col),
                    b'8' => (self.row, self.col) = self.saved,
                    _ => {}
                }
            }
            Parse::Charset => self.state = Parse::Ground,
            Parse::Csi => {
                if (0x20..=0x3f).contains(&b) {
                    self.params.push(b as char);
                } else {
                    self.state = Parse::Ground;
                    if (0x40..=0x7e).contains(&b) {
                        self.csi(b);
                    }
                }
            }
            Parse::Osc => match b {
                0x07 => self.state = Parse::Ground,
                0x1b => self.state = Parse::OscEscape,
                _ => {}
            },
            Parse::OscEscape => self.state = Parse::Ground,
        }
    }

    fn ground(&mut self, b: u8) {
        if !self.utf8.is_empty() || b >= 0x80 {
            self.utf8.push(b);
            let need = match self.utf8[0] {
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                0xf0..=0xf7 => 4,
                _ => 1,
            };
            if self.utf8.len() >= need {
                let c = std::str::from_utf8(&self.utf8)
                    .ok()
                    .and_then(|s| s.chars().next())
                    .unwrap_or('?');
                self.utf8.clear();
                self.print(c);
            }
            return;
        }
        match b {
            0x1b => self.state = Parse::Escape,
            b'\r' => self.col = 0,
            b'\n' | 0x0b | 0x0c => self.line_feed(),
            0x08 => self.col = self.col.saturating_sub(1),
            b'\t' => self.col = ((self.col / 8 + 1) * 8).min(self.cols - 1),
            0x00..=0x1f | 0x7f => {}
            _ => self.print(b as char),
        }
    }

    fn print(&mut self, c: char) {
        // Deferred wrap, as terminals do: the last column is written, the wrap waits.
        if self.col >= self.cols {
            self.col = 0;
            self.line_feed();
        }
        self.cells[self.row * self.cols + self.col] = c;
        self.col += 1;
    }

    fn line_feed(&mut self) {
        if self.row + 1 < self.rows {
            self.row += 1;
        } else {
            self.cells.drain(..self.cols);
            self.cells.extend(std::iter::repeat_n(' ', self.cols));
        }
    }

    fn erase(&mut self, from: usize, to: usize) {
        let end = to.min(self.cells.len());
        if from < end {
            self.cells[from..end].fill(' ');
        }
    }

    fn csi(&mut self, last: u8) {
        let private = self.params.starts_with(['?', '>', '<', '=']);
        let nums: Vec<usize> = self
            .params
            .trim_start_matches(['?', '>', '<', '='])
            .split(';')
            .map(|p| p.parse().unwrap_or(0))
            .collect();
        let n =
            |i: usize, default: usize| nums.get(i).copied().filter(|v| *v > 0).unwrap_or(default);
        let (rows, cols) = (self.rows, self.cols);
        let here = self.row * cols + self.col.min(cols - 1);
        match last {
            b'H' | b'f' => {
                self.row = (n(0, 1) - 1).min(rows - 1);
                self.col = (n(1, 1) - 1).min(cols - 1);
            }
            b'A' => self.row = self.row.saturating_sub(n(0, 1)),
            b'B' => self.row = (self.row + n(0, 1)).min(rows - 1),
            b'C' => self.col = (self.col + n(0, 1)).min(cols - 1),
            b'D' => self.col = self.col.min(cols - 1).saturating_sub(n(0, 1)),
            b'E' => (self.row, self.col) = ((self.row + n(0, 1)).min(rows - 1), 0),
            b'F' => (self.row, self.col) = (self.row.saturating_sub(n(0, 1)), 0),
            b'G' => self.col = (n(0, 1) - 1).min(cols - 1),
            b'd' => self.row = (n(0, 1) - 1).min(rows - 1),
            b'J' => match nums.first().copied().unwrap_or(0) {
                0 => self.erase(here, rows * cols),
                1 => self.erase(0, here + 1),
                _ => self.erase(0, rows * cols),
            },
            b'K' => {
                let start = self.row * cols;
                match nums.first().copied().unwrap_or(0) {
                    0 => self.erase(here, start + cols),
                    1 => self.erase(start, here + 1),
                    _ => self.erase(start, start + cols),
                }
            }
            b'X' => self.erase(here, (here + n(0, 1)).min(self.row * cols + cols)),
            b'n' if !private && nums.first() == Some(&6) => {
                let reply = format!("\x1b[{};{}R", self.row + 1, self.col.min(cols - 1) + 1);
                self.replies.push(reply.into_bytes());
            }
            b'h' | b'l' if private && nums.iter().any(|m| matches!(m, 47 | 1047 | 1049)) => {
                self.erase(0, rows * cols);
                if last == b'l' {
                    self.left_alternate = true;
                }
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The table

#[derive(Default)]
struct Table {
    rows: Vec<[String; 4]>,
    notes: Vec<String>,
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn median(sorted: &[Duration]) -> Duration {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

impl Table {
    fn timing(&mut self, what: &str, samples: &[Duration], bar: &str) {
        let mut s = samples.to_vec();
        s.sort();
        let figures = format!(
            "min {} · median {} · p95 {} · max {}",
            ms(s[0]),
            ms(median(&s)),
            ms(percentile(&s, 95.0)),
            ms(s[s.len() - 1])
        );
        self.rows.push([
            what.to_owned(),
            figures,
            format!("n={}", s.len()),
            bar.to_owned(),
        ]);
    }

    fn single(&mut self, what: &str, took: Duration, bar: &str) {
        self.rows
            .push([what.to_owned(), ms(took), "n=1".into(), bar.to_owned()]);
    }

    fn idle(&mut self, idle: &Idle, length: Duration) {
        let secs = length.as_secs_f64();
        let cpu = idle.cpu_ticks as f64 / idle.ticks_per_second as f64 / secs * 100.0;
        self.rows.push([
            format!("idle CPU, {}", idle.screen),
            format!(
                "{cpu:.2} % of one core ({} ticks; {:.0} µs on CPU) · {:.1} wake-ups/s · {} bytes drawn",
                idle.cpu_ticks,
                idle.on_cpu.as_secs_f64() * 1e6,
                idle.wakeups as f64 / secs,
                idle.bytes
            ),
            format!("{secs:.0} s"),
            "≈ 0".into(),
        ]);
    }

    fn memory(&mut self, screen: &str, m: &Memory) {
        self.rows.push([
            format!("memory on {screen}"),
            format!(
                "VmRSS {:.1} MB · VmHWM {:.1} MB",
                m.rss_kb as f64 / 1024.0,
                m.hwm_kb as f64 / 1024.0
            ),
            String::new(),
            "≤ 25 MB".into(),
        ]);
    }

    fn note(&mut self, text: &str) {
        self.notes.push(text.to_owned());
    }

    fn print(&self) {
        let header = ["what", "measured", "runs", "SPEC §6"].map(str::to_owned);
        let all: Vec<&[String; 4]> = std::iter::once(&header).chain(&self.rows).collect();
        let width = |i: usize| all.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
        let widths = [width(0), width(1), width(2), width(3)];
        for (n, row) in all.iter().enumerate() {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            println!("| {} |", cells.join(" | "));
            if n == 0 {
                let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
                println!("|-{}-|", rule.join("-|-"));
            }
        }
        for note in &self.notes {
            println!("{note}");
        }
        println!("(MB = MiB; idle CPU = Δ(utime+stime) of the whole process over the window)");
    }
}
