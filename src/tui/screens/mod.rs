//! One module per step (and help): each has its state, its key handling and its view.

pub mod account;
pub mod application;
pub mod help;
pub mod tokens;
pub mod users;

/// Where a key press leaves the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Stay,
    Next,
    /// The screen had nothing to go back to: the previous step.
    Back,
}
