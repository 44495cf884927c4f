//! The queue manager: submission and completion rings, their state in RAM, doorbells in BAR0.
pub mod manager;
pub mod notifier;
pub mod poster;
