//! Small drawing pieces shared by the screens: text fields, the step bar, the spinner.

pub mod form;
pub mod step_bar;
pub mod text_area;
pub mod text_field;
pub mod wrap;

/// Spinner frames (ASCII-safe braille would break some fonts; these do not).
pub const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];
