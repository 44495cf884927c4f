//! The stream packer under random pieces, idle and backpressure, checked against
//! [`pack`](crate::models::stream_packer::pack) beat for beat, with AXI4-Stream protocol
//! monitors on both sides and the `keep_errors` counter checked at the end.
use super::{verilated, Backend, BoxedSim};
use crate::bfm::{AxisBeat, AxisMonitor, AxisSink, AxisSource, Pattern};
use crate::models::stream_packer::{breaks_keep_rule, pack};
use crate::scoreboard::Scoreboard;
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::stream_packer::StreamPacker;
use ferronic_sim::native::NativeSim;

pub fn build(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("stream_packer", "", StreamPacker::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(StreamPacker::default())?),
    })
}

/// Sends `input` and checks what leaves against the model. Returns the cycles taken.
pub fn run(
    sim: BoxedSim,
    input: Vec<AxisBeat>,
    idle: Pattern,
    backpressure: Pattern,
    config: &TbConfig,
) -> Result<u64> {
    let expected = pack(&input);
    let expected_keep_errors = input.iter().filter(|b| breaks_keep_rule(b.keep)).count() as u64;
    let cycles = std::rc::Rc::new(std::cell::Cell::new(0));
    let cycles_out = cycles.clone();
    Tb::run(sim, config, move |tb| async move {
        tb.reset(3).await?;
        AxisMonitor::start(&tb, "s_axis")?;
        AxisMonitor::start(&tb, "m_axis")?;
        let source = AxisSource::start(&tb, "s_axis", idle)?;
        let sink = AxisSink::start(&tb, "m_axis", backpressure)?;
        let start = tb.cycle();
        let total_in = input.len() as u64;
        source.send_all(input);
        let mut scoreboard = Scoreboard::new("stream_packer m_axis");
        let want = expected.len();
        for beat in expected {
            scoreboard.expect(beat);
        }
        let budget = 200 + (total_in + want as u64) * 40;
        let mut got = 0;
        tb.with_timeout(budget, "every packed beat", async {
            while got < want {
                tb.rising_edge().await;
                while let Some(beat) = sink.recv() {
                    scoreboard.observe(beat)?;
                    got += 1;
                }
            }
            Ok::<_, anyhow::Error>(())
        })
        .await??;
        cycles_out.set(tb.cycle() - start);
        // Everything sent was taken, and nothing more leaves.
        tb.wait_until(budget, "the source to drain", |_| source.pending() == 0).await?;
        tb.cycles(8).await;
        ensure!(sink.recv().is_none(), "a beat left after every expected one");
        scoreboard.finish()?;
        let errors = tb.get(tb.port("keep_errors")?);
        ensure!(errors == expected_keep_errors, "keep_errors is {errors}, expected {expected_keep_errors}");
        Ok(())
    })?;
    Ok(cycles.get())
}
