//! The wizard in a pseudo-terminal (portable-pty), its output fed to a `vt100` screen as it
//! arrives, time-stamped: waits are for text on that screen, with a limit and the screen in
//! the error. Shared by the raw-pty tests and `benches/wizard.rs` (both `#[path]`-include it).
#![allow(dead_code)] // each includer uses a subset

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};

pub type Res<T> = Result<T, String>;

/// Variables that would steer the wizard, or send 127.0.0.1 through a proxy: never passed on.
const SCRUBBED_ENV: [&str; 14] = [
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
];

/// Answers what a program asks its terminal (the cursor position report, `ESC [ 6 n`), which
/// `vt100` leaves to its caller.
#[derive(Default)]
pub struct Replies(Vec<Vec<u8>>);

impl vt100::Callbacks for Replies {
    fn unhandled_csi(
        &mut self,
        screen: &mut vt100::Screen,
        i1: Option<u8>,
        _i2: Option<u8>,
        params: &[&[u16]],
        c: char,
    ) {
        if c == 'n' && i1.is_none() && params == [&[6][..]] {
            let (row, col) = screen.cursor_position();
            self.0
                .push(format!("\x1b[{};{}R", row + 1, col + 1).into_bytes());
        }
    }
}

enum Output {
    Bytes(Instant, Vec<u8>),
    Closed,
}

/// How a quit went.
#[derive(Debug)]
pub struct Quit {
    /// From Ctrl-C to the process's end.
    pub took: Duration,
    /// The alternate screen was left: the terminal was given back.
    pub restored: bool,
    pub success: bool,
}

/// A program running in a pseudo-terminal of a fixed size.
pub struct Pty {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    output: Receiver<Output>,
    parser: vt100::Parser<Replies>,
    pub pid: u32,
    /// Just before the process was started.
    pub spawned: Instant,
    /// Output bytes read so far.
    pub bytes: u64,
    closed: bool,
    // Kept open for the child's life (dropping the master hangs the terminal up).
    _master: Box<dyn MasterPty + Send>,
}

impl Pty {
    /// Starts `bin args…` in `cwd` on a `cols`×`rows` terminal, `TERM=xterm-256color`, without
    /// the variables of [`SCRUBBED_ENV`].
    pub fn spawn(bin: &Path, args: &[String], cwd: &Path, cols: u16, rows: u16) -> Res<Pty> {
        let size = |n: u16| NonZeroU16::new(n).ok_or("a terminal needs rows and columns");
        let parser =
            vt100::Parser::new_with_callbacks(size(rows)?, size(cols)?, 0, Replies::default());
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .map_err(|e| format!("could not open a pseudo-terminal: {e:#}"))?;
        let mut cmd = CommandBuilder::new(bin);
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env("TERM", "xterm-256color");
        for var in SCRUBBED_ENV {
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
        Ok(Pty {
            child,
            writer,
            output: rx,
            parser,
            pid,
            spawned,
            bytes: 0,
            closed: false,
            _master: pair.master,
        })
    }

    pub fn screen(&self) -> &vt100::Screen {
        self.parser.screen()
    }

    /// Writes input; returns when it was written.
    pub fn send(&mut self, bytes: &[u8]) -> Res<Instant> {
        let at = Instant::now();
        self.writer
            .write_all(bytes)
            .and_then(|_| self.writer.flush())
            .map_err(|e| format!("could not type into the program: {e}"))?;
        Ok(at)
    }

    fn take(&mut self, output: Output) -> Res<Option<Instant>> {
        match output {
            Output::Bytes(at, bytes) => {
                self.bytes += bytes.len() as u64;
                self.parser.process(&bytes);
                for reply in std::mem::take(&mut self.parser.callbacks_mut().0) {
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

    /// Reads output until the screen satisfies `ready`, for at most `limit`; returns when
    /// that output arrived.
    pub fn wait_for(
        &mut self,
        what: &str,
        limit: Duration,
        ready: impl Fn(&vt100::Screen) -> bool,
    ) -> Res<Instant> {
        let deadline = Instant::now() + limit;
        if ready(self.screen()) {
            return Ok(Instant::now());
        }
        loop {
            if self.closed {
                return Err(format!(
                    "the program ended while waiting for {what} ({}); screen:\n{}",
                    self.status(),
                    dump(self.screen())
                ));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(output) => {
                    if let Some(at) = self.take(output)?
                        && ready(self.screen())
                    {
                        return Ok(at);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "timed out after {:.1} s waiting for {what}; screen:\n{}",
                        limit.as_secs_f64(),
                        dump(self.screen())
                    ));
                }
                Err(RecvTimeoutError::Disconnected) => self.closed = true,
            }
        }
    }

    /// Takes in output for `length` without waiting for anything in particular (an idle
    /// window); an error if the program ends meanwhile.
    pub fn watch(&mut self, length: Duration) -> Res<()> {
        let end = Instant::now() + length;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.output.recv_timeout(left) {
                Ok(output) => {
                    self.take(output)?;
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => self.closed = true,
            }
            if self.closed {
                return Err("the program ended".into());
            }
        }
        Ok(())
    }

    /// Whatever output is waiting, without blocking.
    pub fn drain(&mut self) -> Res<()> {
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

    /// Ctrl-C, as a user quits; then SIGHUP, then SIGKILL if it lingers (an error, with the
    /// screen).
    pub fn quit(mut self) -> Res<Quit> {
        self.drain()?;
        let asked = self.send(b"\x03")?;
        let status = self.wait_exit(Duration::from_secs(3));
        let took = asked.elapsed();
        let Some(status) = status else {
            let _ = self.child.kill(); // SIGHUP, which the wizard treats as quit
            if self.wait_exit(Duration::from_secs(2)).is_none() {
                force_kill(self.pid);
                let _ = self.child.wait();
            }
            return Err(format!(
                "Ctrl-C did not end the program within 3 s; screen:\n{}",
                dump(self.screen())
            ));
        };
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
        Ok(Quit {
            took,
            restored: !self.screen().alternate_screen(),
            success: status.success(),
        })
    }

    fn wait_exit(&mut self, limit: Duration) -> Option<portable_pty::ExitStatus> {
        let until = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= until {
                return None;
            }
            // Keep the pty drained so a blocked write cannot hold the exit up.
            let _ = self.drain();
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            if self.wait_exit(Duration::from_secs(2)).is_none() {
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

/// The screen's rows as text.
pub fn lines(screen: &vt100::Screen) -> impl Iterator<Item = String> + '_ {
    screen.rows(0, screen.size().1.get())
}

pub fn contains(screen: &vt100::Screen, text: &str) -> bool {
    lines(screen).any(|l| l.contains(text))
}

/// The first row holding `text`.
pub fn line_with(screen: &vt100::Screen, text: &str) -> Option<String> {
    lines(screen).find(|l| l.contains(text))
}

/// The screen framed, for error messages.
pub fn dump(screen: &vt100::Screen) -> String {
    lines(screen)
        .map(|l| format!("  |{}|", l.trim_end()))
        .collect::<Vec<_>>()
        .join("\n")
}
