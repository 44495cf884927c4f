//! Answers a block's DMA-window lookup port from a window table, as `windows::DmaWindows`
//! does in the NIC: `window_function` sampled at an edge, its window on `window_base` and
//! `window_limit` the cycle after. For blocks tested on their own (the RDMA receive path).
use crate::models::windows::WindowTable;
use crate::tb::Tb;
use anyhow::Result;

pub fn serve_window_lookups(tb: &Tb, table: WindowTable) -> Result<()> {
    let function = tb.port("window_function")?;
    let (base, limit) = (tb.input("window_base")?, tb.input("window_limit")?);
    let watch = tb.clone();
    tb.spawn(async move {
        loop {
            watch.read_only().await;
            let (b, l) = table.window(watch.get(function) as usize);
            watch.rising_edge().await;
            watch.set(base, b);
            watch.set(limit, l);
        }
        #[allow(unreachable_code)]
        Ok(())
    });
    Ok(())
}
