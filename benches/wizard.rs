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
//! What the harness sees is what a terminal would show: the wizard runs under the pty driver
//! the raw-pty tests use (`tests/support/pty.rs`), which feeds its output to a `vt100` screen,
//! and every wait is for text on that screen, with a timeout and the screen in the error. Only
//! 127.0.0.1 is used: the embedded sandbox, or `--api-base http://127.0.0.1:9`, never called.

#[path = "../tests/support/pty.rs"]
mod pty;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pty::{Pty, Res, contains, dump, line_with};

const COLS: u16 = 100;
const ROWS: u16 = 30;
/// Longest any single wait may take (key generation and a sandbox round trip included).
const WAIT: Duration = Duration::from_secs(10);
/// The first frame holds the step bar; the wizard's own title of step 1 reads the same.
const FIRST_FRAME_TEXT: &str = "1 Account";
/// The Account form, drawn once the stored state has been read.
const ACCOUNT_FORM_TEXT: &str = "API secret";

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
        ms(session.quit.took),
        if session.quit.restored { "yes" } else { "NO" }
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
        let shown = w.wait_for("the first frame", |s| contains(s, FIRST_FRAME_TEXT))?;
        let ready = w.wait_for("the Account form", |s| contains(s, ACCOUNT_FORM_TEXT))?;
        if i > 0 {
            first.push(shown - w.spawned());
            form.push(ready - w.spawned());
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
        line_with(s, "› API key").is_some_and(|l| l.contains("[]"))
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
            line_with(s, "› API key").is_some_and(|l| l.contains(&want))
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
    quit: pty::Quit,
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
        contains(s, "› API secret") && !contains(s, "[]")
    })?;
    idle.push(w.idle("Account (no countdown)", idle_for, tick)?);
    memory.push(("Account", w.memory()?));

    let t = w.send(b"\r")?;
    let done = w.wait_for("the application list after verifying", |s| {
        contains(s, "+ Create a new application") && !contains(s, "(listing…)") && !busy(s)
    })?;
    w.show();
    steps.push(("Enter: verify + list applications", done - t));

    let t = w.send(b"\r")?;
    let done = w.wait_for("the create form", |s| contains(s, "RTC event URL"))?;
    w.show();
    steps.push(("Enter: open the create form", done - t));

    let t = w.send(b"\r")?;
    let done = w.wait_for("the created application", |s| {
        contains(s, "is current.") && !busy(s)
    })?;
    w.show();
    steps.push(("Enter: key pair + create application", done - t));

    let t = w.send(b"\r")?;
    let done = w.wait_for("the users list", |s| {
        contains(s, "3 Users") && contains(s, "no users yet") && !busy(s)
    })?;
    w.show();
    steps.push(("Enter: Users + list users", done - t));

    w.send(b"alice")?;
    w.wait_for("alice typed", |s| {
        line_with(s, "› Name").is_some_and(|l| l.contains("[alice]"))
    })?;
    let t = w.send(b"\r")?;
    let done = w.wait_for("alice created", |s| {
        contains(s, "Created alice.") && !busy(s)
    })?;
    w.show();
    steps.push(("Enter: create user alice", done - t));

    let t = w.send(b"\r")?;
    let done = w.wait_for("the Tokens table", |s| {
        contains(s, "4 Tokens ·") && line_with(s, "alice").is_some_and(|l| l.contains("none"))
    })?;
    w.show();
    steps.push(("Enter on empty name: Tokens", done - t));

    let t = w.send(b"g")?;
    let done = w.wait_for("alice's token", |s| {
        line_with(s, "alice").is_some_and(|l| l.contains("valid for"))
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

/// The status line shows a request in flight (spinner and "(Esc cancels)").
fn busy(screen: &vt100::Screen) -> bool {
    contains(screen, "(Esc cancels)")
}

/// The wizard under the shared pty driver, with the bench's waits and /proc readings.
struct Wizard(Pty);

impl Wizard {
    fn spawn(bin: &Path, args: &[String], cwd: &Path) -> Res<Wizard> {
        Pty::spawn(bin, args, cwd, COLS, ROWS).map(Wizard)
    }

    fn spawned(&self) -> Instant {
        self.0.spawned
    }

    fn send(&mut self, bytes: &[u8]) -> Res<Instant> {
        self.0.send(bytes)
    }

    fn wait_for(&mut self, what: &str, ready: impl Fn(&vt100::Screen) -> bool) -> Res<Instant> {
        self.0.wait_for(what, WAIT, ready)
    }

    /// With `WIZARD_BENCH_SCREENS=1`, prints the screen (to stderr), to see what was driven.
    fn show(&self) {
        if std::env::var_os("WIZARD_BENCH_SCREENS").is_some() {
            eprintln!("{}\n", dump(self.0.screen()));
        }
    }

    /// `length` of no input: CPU ticks (whole process), thread wake-ups, bytes drawn.
    fn idle(&mut self, screen: &'static str, length: Duration, tick: u64) -> Res<Idle> {
        // Let whatever the last step started settle before the window opens.
        std::thread::sleep(Duration::from_millis(500));
        self.0.drain()?;
        let pid = self.0.pid;
        let (cpu0, threads0, bytes0) = (cpu_ticks(pid)?, threads(pid), self.0.bytes);
        self.0
            .watch(length)
            .map_err(|e| format!("{e} while idle on {screen}"))?;
        let (cpu1, threads1) = (cpu_ticks(pid)?, threads(pid));
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
            bytes: self.0.bytes - bytes0,
        })
    }

    fn memory(&self) -> Res<Memory> {
        let path = format!("/proc/{}/status", self.0.pid);
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

    /// Ctrl-C, as a user quits: how long the exit took and whether the terminal was given back.
    fn quit(self) -> Res<pty::Quit> {
        self.0.quit()
    }
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
