namespace CommissioningActors.Protocol.Matter.Messages;

/// <summary>A protocol id: a vendor (0 = the Matter standard) and a 16-bit protocol number.</summary>
public readonly record struct MatterProtocolId(ushort VendorId, ushort Id)
{
    public static readonly MatterProtocolId SecureChannel = new(0, 0x0000);
    public static readonly MatterProtocolId InteractionModel = new(0, 0x0001);
    public static readonly MatterProtocolId Bdx = new(0, 0x0002);
    public static readonly MatterProtocolId UserDirectedCommissioning = new(0, 0x0003);

    /// <summary>The 32-bit form used in StatusReport: vendor id in the high 16 bits.</summary>
    public uint Full => ((uint)VendorId << 16) | Id;

    public static MatterProtocolId FromFull(uint full) => new((ushort)(full >> 16), (ushort)full);

    public override string ToString() => VendorId == 0 ? $"0x{Id:X4}" : $"0x{VendorId:X4}:0x{Id:X4}";
}

/// <summary>Opcodes of the Secure Channel protocol (0x0000).</summary>
public enum SecureChannelOpcode : byte
{
    MsgCounterSyncReq = 0x00,
    MsgCounterSyncRsp = 0x01,
    StandaloneAck = 0x10,
    PbkdfParamRequest = 0x20,
    PbkdfParamResponse = 0x21,
    Pake1 = 0x22,
    Pake2 = 0x23,
    Pake3 = 0x24,
    Sigma1 = 0x30,
    Sigma2 = 0x31,
    Sigma3 = 0x32,
    Sigma2Resume = 0x33,
    StatusReport = 0x40,
    IcdCheckIn = 0x50,
}

/// <summary>Opcodes of the Interaction Model protocol (0x0001).</summary>
public enum InteractionModelOpcode : byte
{
    StatusResponse = 0x01,
    ReadRequest = 0x02,
    SubscribeRequest = 0x03,
    SubscribeResponse = 0x04,
    ReportData = 0x05,
    WriteRequest = 0x06,
    WriteResponse = 0x07,
    InvokeRequest = 0x08,
    InvokeResponse = 0x09,
    TimedRequest = 0x0A,
}
