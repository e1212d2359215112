namespace CommissioningActors.Protocol.BleProxy;

/// <summary>
/// Wire codec for BLE proxy protocol v1, both directions (the server and the simulator client share it).
/// Parsing never throws: bad input comes back as a ParseError.
/// </summary>
public static class BleProxyCodec
{
    public const int ProtocolVersion = 1;

    /// <summary>Default upper bound for one frame; proxies send small frames.</summary>
    public const int DefaultMaxFrameBytes = 64 * 1024;

    // Server side: what arrives from a proxy.
    public static Parsed<ClientMessage> ParseClientMessage(ReadOnlySpan<byte> utf8Json, int maxBytes = DefaultMaxFrameBytes) =>
        throw new NotImplementedException();

    public static Parsed<ClientMessage> ParseClientMessage(string json, int maxBytes = DefaultMaxFrameBytes) =>
        throw new NotImplementedException();

    // Client side (simulator): what arrives from the server.
    public static Parsed<ServerMessage> ParseServerMessage(ReadOnlySpan<byte> utf8Json, int maxBytes = DefaultMaxFrameBytes) =>
        throw new NotImplementedException();

    public static Parsed<ServerMessage> ParseServerMessage(string json, int maxBytes = DefaultMaxFrameBytes) =>
        throw new NotImplementedException();

    public static Parsed<BinaryFrame> ParseBinary(ReadOnlySpan<byte> frame, int maxBytes = DefaultMaxFrameBytes) =>
        throw new NotImplementedException();

    /// <summary>Decodes a success result by the command it answers (connect -> ConnectResult, ...).</summary>
    public static Parsed<BleCommandResult> DecodeResult(BleCommand command, System.Text.Json.Nodes.JsonObject? result) =>
        throw new NotImplementedException();

    public static string Serialize(ClientMessage message) => throw new NotImplementedException();

    public static string Serialize(ServerMessage message) => throw new NotImplementedException();

    public static byte[] Serialize(BinaryFrame frame) => throw new NotImplementedException();
}
