//! The configuration-space emulator driven the way a PCIe hard IP drives it: requests on
//! `cfg_` (at most one per cycle, random idle between), responses checked against
//! [`CfgSpaceModel`] in order, and the access log drained under random backpressure and
//! checked record for record.
use super::{verilated, Backend, BoxedSim};
use crate::bfm::pattern::{Pattern, Throttle};
use crate::models::cfgspace::{CfgSpaceModel, Outcome};
use crate::tb::Tb;
use anyhow::{bail, ensure, Result};
use ferronic_hdl::cfgspace::emulator::{CfgSpace16, CfgSpace64};
use ferronic_hdl::cfgspace::profile::DeviceImages;
use ferronic_sim::native::NativeSim;
use ferronic_sim::PortId;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// The emulator for `max_vfs` VFs (16-VF or 64-VF build), powered on with `images`.
pub fn build(backend: Backend, images: &DeviceImages, max_vfs: usize) -> Result<BoxedSim> {
    // The images are part of the configuration: every profile is its own model.
    let configuration = format!("{images:?} {max_vfs}");
    Ok(match (backend, max_vfs) {
        (Backend::Verilator, 0..=16) => verilated("cfgspace", &configuration, || CfgSpace16::new(images, max_vfs))?,
        (Backend::Verilator, _) => verilated("cfgspace", &configuration, || CfgSpace64::new(images, max_vfs))?,
        (Backend::RustHdl, 0..=16) => Box::new(NativeSim::new(CfgSpace16::new(images, max_vfs))?),
        (Backend::RustHdl, _) => Box::new(NativeSim::new(CfgSpace64::new(images, max_vfs))?),
    })
}

/// One configuration request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    Read { function: usize, register: usize },
    Write { function: usize, register: usize, byte_enable: u8, data: u32 },
}

impl Request {
    fn function(&self) -> usize {
        match *self {
            Request::Read { function, .. } | Request::Write { function, .. } => function,
        }
    }
    fn register(&self) -> usize {
        match *self {
            Request::Read { register, .. } | Request::Write { register, .. } => register,
        }
    }
}

/// A response on the `cfg_` port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Response {
    pub data: u32,
    pub unsupported: bool,
    pub retry: bool,
}

/// A record of the access log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogRecord {
    pub function: u64,
    pub register: u64,
    pub byte_enable: u64,
    pub write: bool,
    pub outcome: u64,
    pub before: u32,
    pub after: u32,
}

#[derive(Clone, Copy)]
struct CfgPorts {
    read: PortId,
    write: PortId,
    function: PortId,
    register: PortId,
    byte_enable: PortId,
    write_data: PortId,
    done: PortId,
    read_data: PortId,
    unsupported: PortId,
    retry: PortId,
    busy: PortId,
}

/// Drives `cfg_` requests and collects responses; the request/response pairing is by order.
#[derive(Clone)]
pub struct CfgDriver {
    tb: Tb,
    ports: CfgPorts,
    responses: Rc<RefCell<VecDeque<Response>>>,
}

impl CfgDriver {
    pub fn start(tb: &Tb) -> Result<Self> {
        let p = |n: &str| tb.port(n);
        let ports = CfgPorts {
            read: p("cfg_read")?,
            write: p("cfg_write")?,
            function: p("cfg_function")?,
            register: p("cfg_register")?,
            byte_enable: p("cfg_byte_enable")?,
            write_data: p("cfg_write_data")?,
            done: p("cfg_done")?,
            read_data: p("cfg_read_data")?,
            unsupported: p("cfg_unsupported")?,
            retry: p("cfg_retry")?,
            busy: p("busy")?,
        };
        let driver = Self { tb: tb.clone(), ports, responses: Rc::default() };
        let responses = Rc::clone(&driver.responses);
        let tb2 = tb.clone();
        tb.spawn(async move {
            let tb = tb2;
            loop {
                tb.read_only().await;
                let [done, data, unsupported, retry] =
                    tb.get_many(&[ports.done, ports.read_data, ports.unsupported, ports.retry]);
                if done != 0 {
                    responses.borrow_mut().push_back(Response {
                        data: data as u32,
                        unsupported: unsupported != 0,
                        retry: retry != 0,
                    });
                }
            }
            #[allow(unreachable_code)]
            Ok(())
        });
        Ok(driver)
    }

    /// Puts `request` on the port for one cycle (call in the drive phase).
    pub async fn issue(&self, request: Request) {
        let (tb, p) = (&self.tb, &self.ports);
        tb.drive_phase().await;
        tb.set(p.function, request.function() as u64);
        tb.set(p.register, request.register() as u64);
        match request {
            Request::Read { .. } => {
                // A configuration read carries byte enables too; the log records them.
                tb.set(p.read, 1);
                tb.set(p.byte_enable, 0xF);
            }
            Request::Write { byte_enable, data, .. } => {
                tb.set(p.write, 1);
                tb.set(p.byte_enable, byte_enable as u64);
                tb.set(p.write_data, data as u64);
            }
        }
        tb.rising_edge().await;
        tb.set(p.read, 0);
        tb.set(p.write, 0);
    }

    /// Issues one request and waits for its response.
    pub async fn request(&self, request: Request) -> Result<Response> {
        let before = self.responses.borrow().len();
        self.issue(request).await;
        for _ in 0..8 {
            if self.responses.borrow().len() > before {
                return Ok(self.responses.borrow_mut().pop_back().expect("counted"));
            }
            self.tb.rising_edge().await;
        }
        bail!("no response to {request:?} within 8 cycles")
    }

    pub async fn read(&self, function: usize, register: usize) -> Result<Response> {
        self.request(Request::Read { function, register }).await
    }

    pub async fn write(&self, function: usize, register: usize, byte_enable: u8, data: u32) -> Result<Response> {
        self.request(Request::Write { function, register, byte_enable, data }).await
    }

    /// Waits until no reset is running.
    pub async fn wait_idle(&self, timeout: u64) -> Result<()> {
        let busy = self.ports.busy;
        self.tb.rising_edge().await;
        self.tb.rising_edge().await;
        self.tb.wait_until(timeout, "the emulator's resets to finish", |tb| tb.get(busy) == 0).await
    }

    pub fn take_responses(&self) -> Vec<Response> {
        self.responses.borrow_mut().drain(..).collect()
    }
}

/// Drains the access log with `log_ready` following `backpressure`.
#[derive(Clone)]
pub struct LogReader {
    records: Rc<RefCell<Vec<(u64, LogRecord)>>>,
}

impl LogReader {
    pub fn start(tb: &Tb, backpressure: Pattern) -> Result<Self> {
        let names = [
            "log_valid",
            "log_function",
            "log_register",
            "log_byte_enable",
            "log_write",
            "log_outcome",
            "log_before",
            "log_after",
            "log_time",
        ];
        let ports: Vec<PortId> = names.iter().map(|n| tb.port(n)).collect::<Result<_>>()?;
        let ports: [PortId; 9] = ports.try_into().expect("nine ports");
        let ready = tb.input("log_ready")?;
        let reader = Self { records: Rc::default() };
        let records = Rc::clone(&reader.records);
        let mut throttle = Throttle::new(backpressure, tb.rng());
        let tb2 = tb.clone();
        tb.spawn(async move {
            let tb = tb2;
            let mut is_ready = false;
            tb.set(ready, 0);
            loop {
                tb.read_only().await;
                let v = tb.get_many(&ports);
                if is_ready && v[0] != 0 {
                    records.borrow_mut().push((
                        v[8],
                        LogRecord {
                            function: v[1],
                            register: v[2],
                            byte_enable: v[3],
                            write: v[4] != 0,
                            outcome: v[5],
                            before: v[6] as u32,
                            after: v[7] as u32,
                        },
                    ));
                }
                is_ready = !throttle.hold();
                tb.set(ready, is_ready as u64);
            }
            #[allow(unreachable_code)]
            Ok(())
        });
        Ok(reader)
    }
    /// Records drained so far, with their timestamps.
    pub fn take(&self) -> Vec<(u64, LogRecord)> {
        self.records.borrow_mut().drain(..).collect()
    }
}

/// Applies `request` to the model: the response and log record the RTL must produce, and
/// whether the request starts a reset (after which the driver waits for `busy` to fall).
pub fn expect(model: &mut CfgSpaceModel, request: Request) -> (Response, LogRecord, bool) {
    match request {
        Request::Read { function, register } => {
            let (outcome, data) = model.read(function, register);
            let unsupported = outcome == Outcome::Unsupported;
            let record = LogRecord {
                function: function as u64,
                register: register as u64,
                byte_enable: 0xF,
                write: false,
                outcome: unsupported as u64,
                before: if unsupported { 0 } else { data },
                after: if unsupported { 0 } else { data },
            };
            (Response { data: if unsupported { 0 } else { data }, unsupported, retry: false }, record, false)
        }
        Request::Write { function, register, byte_enable, data } => {
            let result = model.write(function, register, byte_enable, data);
            let unsupported = result.outcome == Outcome::Unsupported;
            let record = LogRecord {
                function: function as u64,
                register: register as u64,
                byte_enable: byte_enable as u64,
                write: true,
                outcome: unsupported as u64,
                before: result.before,
                after: result.after,
            };
            (Response { data: 0, unsupported, retry: false }, record, result.reset)
        }
    }
}

/// Runs `requests` with random idle cycles between them; every response and every log
/// record is checked against the model. Returns the number of requests checked.
pub async fn run_sequence(
    tb: &Tb,
    driver: &CfgDriver,
    model: &mut CfgSpaceModel,
    requests: &[Request],
    idle: Pattern,
    log_backpressure: Pattern,
) -> Result<usize> {
    let log = LogReader::start(tb, log_backpressure)?;
    let mut throttle = Throttle::new(idle, tb.rng());
    let mut expected_responses = Vec::new();
    let mut expected_log = Vec::new();
    let mut issued_at = Vec::new();
    for &request in requests {
        while throttle.hold() {
            tb.rising_edge().await;
        }
        let (response, record, starts_reset) = expect(model, request);
        tb.drive_phase().await;
        issued_at.push(tb.cycle());
        driver.issue(request).await;
        expected_responses.push((request, response));
        expected_log.push(record);
        if starts_reset {
            driver.wait_idle(100_000).await?;
        }
    }
    tb.cycles(4).await;
    let got = driver.take_responses();
    ensure!(got.len() == expected_responses.len(), "{} responses for {} requests", got.len(), expected_responses.len());
    for (i, ((request, want), got)) in expected_responses.iter().zip(&got).enumerate() {
        ensure!(want == got, "request #{i} {request:x?}: the emulator answered {got:x?}, the model {want:x?}");
    }
    // Drain the log (the reader may be slow) and compare.
    let mut records = Vec::new();
    for _ in 0..(expected_log.len() as u64 * 40 + 100) {
        records.extend(log.take());
        if records.len() >= expected_log.len() {
            break;
        }
        tb.rising_edge().await;
    }
    ensure!(records.len() == expected_log.len(), "{} log records for {} accesses", records.len(), expected_log.len());
    for (i, ((time, got), want)) in records.iter().zip(&expected_log).enumerate() {
        ensure!(got == want, "log record #{i}: {got:x?}, the model expects {want:x?}");
        // Timestamps advance exactly as the requests were issued.
        let (t0, c0) = (records[0].0, issued_at[0]);
        ensure!(time - t0 == issued_at[i] - c0, "log record #{i} stamped {time}, issued at cycle {}", issued_at[i]);
    }
    Ok(requests.len())
}

/// Loads another device type through the management port: the six templates, the layout
/// registers, then a reset of every function. Returns when the new type is visible.
pub async fn load_profile(tb: &Tb, images: &DeviceImages) -> Result<()> {
    use ferronic_hdl::cfgspace::emulator::{DWORDS, TARGET_LAYOUT};
    use ferronic_hdl::cfgspace::profile::ConfigImage;
    let (write, target, index, data) =
        (tb.input("mgmt_write")?, tb.input("mgmt_target")?, tb.input("mgmt_index")?, tb.input("mgmt_data")?);
    let vf = images.vf.clone().unwrap_or_default();
    let templates = [&images.pf.data, &images.pf.wmask, &images.pf.w1cmask, &vf.data, &vf.wmask, &vf.w1cmask];
    tb.set(write, 1);
    for (t, bytes) in templates.iter().enumerate() {
        for i in 0..DWORDS {
            tb.set(target, t as u64);
            tb.set(index, i as u64);
            tb.set(data, ConfigImage::dword(bytes, 4 * i) as u64);
            tb.rising_edge().await;
        }
    }
    let layout = [
        images.sriov.map_or(0, |s| s.offset / 4),
        images.pf_pcie_offset.map_or(0, |o| (o + 8) / 4),
        images.vf_pcie_offset.map_or(0, |o| (o + 8) / 4),
        images.sriov.map_or(0, |s| s.total_vfs as usize),
    ];
    for (i, value) in layout.iter().enumerate() {
        tb.set(target, TARGET_LAYOUT);
        tb.set(index, i as u64);
        tb.set(data, *value as u64);
        tb.rising_edge().await;
    }
    tb.set(write, 0);
    let reset_all = tb.input("mgmt_reset_all")?;
    tb.set(reset_all, 1);
    tb.rising_edge().await;
    tb.set(reset_all, 0);
    let busy = tb.port("busy")?;
    tb.rising_edge().await;
    tb.wait_until(1_000_000, "the profile load's reset", |tb| tb.get(busy) == 0).await
}

/// Enumerates the emulator as an OS would after boot — wait out the power-on reset, enable
/// `vfs` VFs (NumVFs, then VF Enable and VF MSE) — and reads every function's 4096 bytes
/// back through the `cfg_` port. Returns (function number, bytes) for the PF and each VF.
pub fn read_all_functions(
    backend: Backend,
    images: &DeviceImages,
    max_vfs: usize,
    vfs: u16,
) -> Result<Vec<(usize, Vec<u8>)>> {
    use ferronic_hdl::cfgspace::profile::{PCI_SRIOV_CTRL, PCI_SRIOV_NUM_VF};
    let sriov = images.sriov;
    if vfs > 0 {
        let Some(s) = sriov else { bail!("profile {} has no SR-IOV capability: it cannot enable VFs", images.name) };
        ensure!(vfs <= s.total_vfs, "profile {} offers {} VFs, not {vfs}", images.name, s.total_vfs);
        ensure!((vfs as usize) <= max_vfs, "the emulator is built for {max_vfs} VFs, not {vfs}");
    }
    let out = Rc::new(RefCell::new(Vec::new()));
    let result = Rc::clone(&out);
    with_emulator(backend, images, max_vfs, 1, move |_tb, cfg| async move {
        if let Some(s) = sriov.filter(|_| vfs > 0) {
            cfg.write(0, (s.offset + PCI_SRIOV_NUM_VF) / 4, 0b0011, vfs as u32).await?;
            cfg.write(0, (s.offset + PCI_SRIOV_CTRL) / 4, 0b0011, 0b1001).await?;
            cfg.wait_idle(1_000_000).await?;
        }
        for function in 0..=vfs as usize {
            let mut bytes = Vec::with_capacity(4096);
            for register in 0..1024 {
                let r = cfg.read(function, register).await?;
                ensure!(!r.unsupported && !r.retry, "function {function} register {register:#x} answered {r:?}");
                bytes.extend_from_slice(&r.data.to_le_bytes());
            }
            result.borrow_mut().push((function, bytes));
        }
        Ok(())
    })?;
    let functions = out.borrow().clone();
    Ok(functions)
}

/// Runs `body` against a fresh emulator that has been reset and has finished its power-on
/// reset, with a [`CfgDriver`] on its `cfg_` port.
pub fn with_emulator<F, Fut>(backend: Backend, images: &DeviceImages, max_vfs: usize, seed: u64, body: F) -> Result<()>
where
    F: FnOnce(Tb, CfgDriver) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<()>> + 'static,
{
    Tb::run(build(backend, images, max_vfs)?, &crate::TbConfig::new(seed), move |tb| async move {
        tb.reset(2).await?;
        let cfg = CfgDriver::start(&tb)?;
        cfg.wait_idle(100_000).await?;
        body(tb, cfg).await
    })
}
