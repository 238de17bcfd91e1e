-- Wireshark dissector for the Numbers Station protocol (PROTOCOL.md), version 1.
--
--   wireshark -X lua_script:dissector/numbers.lua capture.pcap
--   tshark -X lua_script:dissector/numbers.lua -r capture.pcap -Y numbers
--
-- Found on any UDP port by a heuristic (version 1, a known type, a length that fits it), and on
-- port 9000 by default. Every message type and field is decoded; the trailing CRC-32C is
-- recomputed and checked, and a datagram that fails a check the receiver makes (CRC, length,
-- field ranges) carries expert info saying which.

local numbers = Proto("numbers", "Numbers Station")

local types = { [0x01] = "OPEN", [0x02] = "ACK", [0x81] = "CHALLENGE", [0x82] = "DATA", [0x83] = "TRAILER", [0x84] = "REJECT" }
local reasons = {
    [1] = "session expired or unknown", [2] = "count mismatch", [3] = "server full",
    [4] = "invalid resume point", [5] = "store unavailable",
}
local crc_states = { [0] = "bad", [1] = "good" }

local f = {
    version = ProtoField.uint8("numbers.version", "Version"),
    type = ProtoField.uint8("numbers.type", "Type", base.HEX, types),
    type_name = ProtoField.string("numbers.type_name", "Type name"),
    flags = ProtoField.uint8("numbers.flags", "Flags", base.HEX),
    flag_done = ProtoField.bool("numbers.flags.done", "Done", 8, nil, 0x01),
    flag_probe = ProtoField.bool("numbers.flags.probe", "Probe", 8, nil, 0x02),
    tag = ProtoField.uint32("numbers.tag", "Tag"),
    client_id = ProtoField.guid("numbers.client_id", "Client ID"),
    count = ProtoField.uint32("numbers.count", "Count"),
    resume_from = ProtoField.uint32("numbers.resume_from", "Resume from"),
    window = ProtoField.uint32("numbers.window", "Window"),
    token = ProtoField.uint64("numbers.token", "Token", base.HEX),
    ack_seq = ProtoField.uint32("numbers.ack_seq", "ACK sequence"),
    cumulative = ProtoField.uint32("numbers.cumulative", "Cumulative"),
    highest = ProtoField.uint32("numbers.highest", "Highest"),
    range_count = ProtoField.uint8("numbers.range_count", "Range count"),
    range = ProtoField.string("numbers.range", "Range"),
    range_start = ProtoField.uint32("numbers.range.start", "Range start"),
    range_end = ProtoField.uint32("numbers.range.end", "Range end"),
    echo = ProtoField.uint32("numbers.echo", "Echo"),
    total = ProtoField.uint32("numbers.total", "Total (n)"),
    index = ProtoField.uint32("numbers.index", "Index"),
    number_count = ProtoField.uint16("numbers.number_count", "Numbers"),
    number = ProtoField.uint32("numbers.number", "Number"),
    end_index = ProtoField.uint32("numbers.end", "End index"),
    sequence_crc = ProtoField.uint32("numbers.sequence_crc", "Sequence CRC-32C", base.HEX),
    sum = ProtoField.uint64("numbers.sum", "Sum"),
    reason = ProtoField.uint8("numbers.reason", "Reason", base.DEC, reasons),
    crc = ProtoField.uint32("numbers.crc", "CRC-32C", base.HEX),
    crc_computed = ProtoField.uint32("numbers.crc.computed", "Computed CRC-32C", base.HEX),
    crc_status = ProtoField.uint8("numbers.crc.status", "CRC-32C status", base.DEC, crc_states),
}
numbers.fields = {}
for _, field in pairs(f) do table.insert(numbers.fields, field) end

local e = {
    bad_crc = ProtoExpert.new("numbers.bad_crc", "CRC-32C mismatch: corrupted in flight, the receiver drops it",
                              expert.group.CHECKSUM, expert.severity.ERROR),
    bad_length = ProtoExpert.new("numbers.bad_length", "Length disagrees with the type and its counts",
                                 expert.group.MALFORMED, expert.severity.ERROR),
    bad_version = ProtoExpert.new("numbers.bad_version", "Unknown protocol version", expert.group.MALFORMED, expert.severity.ERROR),
    bad_field = ProtoExpert.new("numbers.bad_field", "Impossible field value", expert.group.MALFORMED, expert.severity.ERROR),
    probe = ProtoExpert.new("numbers.probe", "Probe: the client heard nothing for a while", expert.group.SEQUENCE, expert.severity.NOTE),
    reject = ProtoExpert.new("numbers.reject", "The server refused", expert.group.RESPONSE_CODE, expert.severity.WARN),
}
numbers.experts = { e.bad_crc, e.bad_length, e.bad_version, e.bad_field, e.probe, e.reject }

-- CRC-32C (Castagnoli, reflected, init and final xor 0xFFFFFFFF), by a 256-entry table.
local bit = bit32 or bit
local crc_table = {}
for i = 0, 255 do
    local c = i
    for _ = 1, 8 do
        if bit.band(c, 1) ~= 0 then c = bit.bxor(bit.rshift(c, 1), 0x82F63B78) else c = bit.rshift(c, 1) end
    end
    crc_table[i] = c
end

local function crc32c(tvb, offset, length)
    local crc = 0xFFFFFFFF
    local bytes = tvb:bytes(offset, length)
    for i = 0, length - 1 do
        crc = bit.bxor(crc_table[bit.band(bit.bxor(crc, bytes:get_index(i)), 0xFF)], bit.rshift(crc, 8))
    end
    return bit.bxor(crc, 0xFFFFFFFF) % 4294967296
end

-- The length a type must have, given the datagram's own counts (nil: impossible).
local function expected_length(tvb, kind)
    local n = tvb:len()
    if kind == 0x01 then return 50
    elseif kind == 0x81 then return 18
    elseif kind == 0x83 then return 30
    elseif kind == 0x84 then return 11
    elseif kind == 0x82 then
        if n < 20 then return nil end
        return 24 + 4 * tvb(18, 2):uint()
    elseif kind == 0x02 then
        if n < 44 then return nil end
        return 48 + 8 * tvb(43, 1):uint()
    end
    return nil
end

local function looks_like_ours(tvb)
    local n = tvb:len()
    if n < 11 or n > 1200 then return false end
    if tvb(0, 1):uint() ~= 1 then return false end
    local kind = tvb(1, 1):uint()
    if types[kind] == nil then return false end
    if kind == 0x82 then return n >= 28 and (n - 24) % 4 == 0 end
    if kind == 0x02 then return n >= 48 and (n - 48) % 8 == 0 end
    return n == expected_length(tvb, kind)
end

function numbers.dissector(tvb, pinfo, tree)
    local n = tvb:len()
    if n < 11 then return 0 end
    pinfo.cols.protocol = "NUMBERS"
    local root = tree:add(numbers, tvb(), "Numbers Station")
    local version = tvb(0, 1):uint()
    local kind = tvb(1, 1):uint()
    local name = types[kind] or string.format("unknown 0x%02x", kind)
    local vitem = root:add(f.version, tvb(0, 1))
    if version ~= 1 then vitem:add_proto_expert_info(e.bad_version) end
    root:add(f.type, tvb(1, 1))
    root:add(f.type_name, name):set_generated()

    local info = name
    local want = expected_length(tvb, kind)
    local body = n - 4
    if want ~= n then
        root:add_proto_expert_info(e.bad_length, string.format("Length %d, %s needs %s", n, name, want or "more"))
    end

    local o = 2
    local function take(field, size)
        if o + size > body then return nil end
        local item = root:add(field, tvb(o, size))
        local value = nil
        if size == 8 then value = tvb(o, size):uint64() elseif size <= 4 then value = tvb(o, size):uint() end
        o = o + size
        return value, item
    end

    if kind == 0x01 then
        local tag = take(f.tag, 4); take(f.client_id, 16)
        local count = take(f.count, 4); local from = take(f.resume_from, 4); local window = take(f.window, 4)
        take(f.token, 8); local seq = take(f.ack_seq, 4)
        info = string.format("OPEN tag=%s n=%s from=%s window=%s seq=%s", tag, count, from, window, seq)
        if window and (window < 294 or window > 1048576) then root:add_proto_expert_info(e.bad_field, "Window out of range") end
    elseif kind == 0x02 then
        local flags, fitem = take(f.flags, 1)
        if fitem then fitem:add(f.flag_done, tvb(2, 1)); fitem:add(f.flag_probe, tvb(2, 1)) end
        local tag = take(f.tag, 4); take(f.client_id, 16); take(f.token, 8)
        local seq = take(f.ack_seq, 4); local cum = take(f.cumulative, 4); local high = take(f.highest, 4)
        local ranges = take(f.range_count, 1) or 0
        local text = {}
        for _ = 1, ranges do
            if o + 8 > body then break end
            local s, en = tvb(o, 4):uint(), tvb(o + 4, 4):uint()
            local r = root:add(f.range, tvb(o, 8), string.format("[%d, %d)", s, en))
            r:add(f.range_start, tvb(o, 4)); r:add(f.range_end, tvb(o + 4, 4))
            if en <= s or (cum and s < cum) or (high and en > high) then r:add_proto_expert_info(e.bad_field, "Empty or misplaced range") end
            table.insert(text, string.format("[%d,%d)", s, en))
            o = o + 8
        end
        local flag_text = ""
        if flags and bit.band(flags, 2) ~= 0 then flag_text = " PROBE"; root:add_proto_expert_info(e.probe) end
        if flags and bit.band(flags, 1) ~= 0 then flag_text = flag_text .. " DONE" end
        info = string.format("ACK%s tag=%s seq=%s cum=%s high=%s ranges=%s", flag_text, tag, seq, cum, high, table.concat(text, ","))
        if cum and high and cum > high then root:add_proto_expert_info(e.bad_field, "Cumulative above highest") end
    elseif kind == 0x81 then
        local tag = take(f.tag, 4); take(f.token, 8)
        info = string.format("CHALLENGE tag=%s", tag)
    elseif kind == 0x82 then
        local tag = take(f.tag, 4); local echo = take(f.echo, 4); local total = take(f.total, 4)
        local index = take(f.index, 4); local count = take(f.number_count, 2) or 0
        if index then root:add(f.end_index, index + count):set_generated() end
        local listed = root:add(numbers, tvb(o, math.max(0, math.min(4 * count, body - o))), "Numbers")
        for _ = 1, count do
            if o + 4 > body then break end
            listed:add(f.number, tvb(o, 4)); o = o + 4
        end
        info = string.format("DATA tag=%s [%s, %s) of %s echo=%s", tag, index, index and index + count, total, echo)
        if count == 0 or (index and total and index + count > total) then root:add_proto_expert_info(e.bad_field, "Count zero or beyond n") end
    elseif kind == 0x83 then
        local tag = take(f.tag, 4); local echo = take(f.echo, 4); local total = take(f.total, 4)
        take(f.sequence_crc, 4); local sum = take(f.sum, 8)
        info = string.format("TRAILER tag=%s n=%s sum=%s echo=%s", tag, total, sum, echo)
    elseif kind == 0x84 then
        local tag = take(f.tag, 4); local reason = take(f.reason, 1)
        info = string.format("REJECT tag=%s: %s", tag, reason and reasons[reason] or "?")
        root:add_proto_expert_info(e.reject)
    end

    local stated = tvb(n - 4, 4):uint()
    local computed = crc32c(tvb, 0, n - 4)
    local citem = root:add(f.crc, tvb(n - 4, 4))
    citem:add(f.crc_computed, computed):set_generated()
    root:add(f.crc_status, computed == stated and 1 or 0):set_generated()
    if computed ~= stated then
        citem:add_proto_expert_info(e.bad_crc, string.format("CRC-32C 0x%08x, computed 0x%08x", stated, computed))
        info = info .. " [BAD CRC]"
    end
    pinfo.cols.info = info
    return n
end

local function heuristic(tvb, pinfo, tree)
    if not looks_like_ours(tvb) then return false end
    numbers.dissector(tvb, pinfo, tree)
    return true
end

numbers:register_heuristic("udp", heuristic)
DissectorTable.get("udp.port"):add(9000, numbers)
