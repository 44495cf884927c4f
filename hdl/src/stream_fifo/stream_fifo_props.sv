// Formal properties of ferronic_stream_fifo, checked by `ferronic formal` with SymbiYosys.
//
// Built for an 8-bit, 4-deep FIFO. The harness numbers the beats it sends (tdata = the
// count of beats accepted so far) and asserts that every beat the FIFO shows is the next
// number expected: a dropped beat shows a number too high, a duplicated one a number too
// low, a reordered one either. Because the FIFO never looks at tdata, numbering the beats
// loses nothing (the standard data-independence argument). Inputs are otherwise free:
// the solver chooses valid, ready, last and reset on every cycle.
module stream_fifo_props (
    input wire clk,
    input wire rst_request,
    input wire s_valid,
    input wire s_last,
    input wire m_ready
);
    reg started = 1'b0;
    always @(posedge clk) started <= 1'b1;
    // Reset in the first cycle, and whenever the solver asks.
    wire rst = !started || rst_request;

    reg [7:0] sent = 8'd0;
    reg [7:0] taken = 8'd0;

    wire s_ready, m_valid, m_last, m_user;
    wire [7:0] m_data;
    wire m_keep;
    wire [2:0] occupancy;

    ferronic_stream_fifo dut (
        .clk(clk), .rst(rst),
        .s_axis_tdata(sent), .s_axis_tkeep(1'b1), .s_axis_tvalid(s_valid),
        .s_axis_tready(s_ready), .s_axis_tlast(s_last), .s_axis_tuser(1'b0),
        .m_axis_tdata(m_data), .m_axis_tkeep(m_keep), .m_axis_tvalid(m_valid),
        .m_axis_tready(m_ready), .m_axis_tlast(m_last), .m_axis_tuser(m_user),
        .occupancy(occupancy)
    );

    always @(posedge clk) begin
        if (rst) begin
            sent <= 8'd0;
            taken <= 8'd0;
        end else begin
            if (s_valid && s_ready) sent <= sent + 8'd1;
            if (m_valid && m_ready) taken <= taken + 8'd1;
        end
    end

    wire [7:0] held = sent - taken;
    always @(*) begin
        if (started && !rst) begin
            // Order kept, nothing dropped, nothing duplicated.
            if (m_valid) assert (m_data == taken);
            // Nothing appears that was not sent.
            if (held == 8'd0) assert (!m_valid);
            // Occupancy counts exactly the beats accepted and not yet taken.
            assert ({5'd0, occupancy} == held);
            assert (held <= 8'd4);
            // Accepts whenever not full.
            assert (s_ready == (held != 8'd4));
        end
    end

    // Non-vacuity: the solver must be able to fill the FIFO and wrap its pointers twice.
    always @(*) begin
        if (started && !rst) begin
            cover (held == 8'd4);
            cover (taken == 8'd9);
        end
    end

    // The output may not change while it waits for ready.
    reg was_waiting = 1'b0;
    reg [7:0] waiting_data = 8'd0;
    always @(posedge clk) begin
        was_waiting <= !rst && m_valid && !m_ready;
        waiting_data <= m_data;
    end
    always @(*) begin
        if (started && !rst && was_waiting) begin
            assert (m_valid);
            assert (m_data == waiting_data);
        end
    end
endmodule
