//! PCIe configuration-space emulator: register images built from device profiles, the
//! emulator block on the `cfg_` port, and `lspci` dumps.
pub mod dump;
pub mod emulator;
pub mod profile;
