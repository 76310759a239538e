//! The wizard's steps: one module per step (its state, key table, answers and view) and THE
//! step list below, from which the order, numbers, titles, the step bar, the help's overview
//! and the `Screens` that hold each step's state all come. A new step is a module and a line.

pub mod account;
pub mod application;
pub mod tokens;
pub mod users;

use super::screen::{AnyScreen, Facts};

/// Declares the steps, in order: `Variant field: ScreenType, "Title", "what it is for";`.
macro_rules! steps {
    ($($variant:ident $field:ident: $screen:ty, $title:literal, $about:literal;)+) => {
        /// The steps, in order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Step {
            $($variant,)+
        }

        impl Step {
            pub const ALL: &'static [Step] = &[$(Step::$variant,)+];

            pub fn title(self) -> &'static str {
                match self {
                    $(Step::$variant => $title,)+
                }
            }

            /// One line for the help's overview.
            pub fn about(self) -> &'static str {
                match self {
                    $(Step::$variant => $about,)+
                }
            }
        }

        /// Every step's screen state.
        #[derive(Debug, Default)]
        pub struct Screens {
            $(pub $field: $screen,)+
        }

        impl Screens {
            pub fn get(&self, step: Step) -> &dyn AnyScreen {
                match step {
                    $(Step::$variant => &self.$field,)+
                }
            }

            pub fn get_mut(&mut self, step: Step) -> &mut dyn AnyScreen {
                match step {
                    $(Step::$variant => &mut self.$field,)+
                }
            }
        }
    };
}

steps! {
    Account account: account::AccountScreen, "Account",
        "API key and secret, checked with Vonage, stored (0600)";
    Application application: application::ApplicationScreen, "Application",
        "an rtc application; its private key is saved here first";
    Users users: users::UsersScreen, "Users",
        "one user per person who logs in";
    Tokens tokens: tokens::TokensScreen, "Tokens",
        "a signed JWT per user (at most 24 h) to copy or save";
}

impl Step {
    /// 1-based, as the step bar and the titles show it.
    pub fn number(self) -> usize {
        self.index() + 1
    }

    fn index(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn previous(self) -> Option<Step> {
        Step::ALL.get(self.index().checked_sub(1)?).copied()
    }

    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self.index() + 1).copied()
    }

    pub fn first() -> Step {
        Step::ALL[0]
    }

    pub fn last() -> Step {
        Step::ALL[Step::ALL.len() - 1]
    }

    /// The step a digit names (`'1'` is the first).
    pub fn numbered(digit: char) -> Option<Step> {
        let n = digit.to_digit(10)? as usize;
        Step::ALL.get(n.checked_sub(1)?).copied()
    }

    /// `2 Application`.
    pub fn heading(self) -> String {
        format!("{} {}", self.number(), self.title())
    }
}

impl Screens {
    /// What the steps know that the others may read.
    pub fn facts(&self) -> Facts {
        let mut facts = Facts::default();
        for step in Step::ALL {
            self.get(*step).share(&mut facts);
        }
        facts
    }
}
