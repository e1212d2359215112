using System.Text.Json.Nodes;
using CommissioningActors.Protocol.Matter.InteractionModel;
using CommissioningActors.Protocol.Matter.Messages;
using CommissioningActors.Protocol.Matter.Tlv;
using CommissioningActors.Protocol.Tests.Matter.Tlv;
using FsCheck.Xunit;
using Xunit;

namespace CommissioningActors.Protocol.Tests.Matter.InteractionModel;

public class ImRobustnessTests
{
    private static readonly Func<byte[], bool>[] Decoders =
    [
        b => StatusResponseMessage.Decode(b).IsOk,
        b => ReadRequestMessage.Decode(b).IsOk,
        b => ReportDataMessage.Decode(b).IsOk,
        b => InvokeRequestMessage.Decode(b).IsOk,
        b => InvokeResponseMessage.Decode(b).IsOk,
        b => TimedRequestMessage.Decode(b).IsOk,
        b => WriteResponseMessage.Decode(b).IsOk,
        b => SubscribeRequestMessage.Decode(b).IsOk,
        b => SubscribeResponseMessage.Decode(b).IsOk,
    ];

    private static void AllDecoders(byte[] bytes)
    {
        foreach (var decode in Decoders)
        {
            decode(bytes);
        }

        new ReadClient([new AttributePath(0, 6, 0)]).Also(c => c.Start()).Receive(InteractionModelOpcode.ReportData, bytes);
        new InvokeClient(new CommandPath(0, 6, 0), null).Also(c => c.Start()).Receive(InteractionModelOpcode.InvokeResponse, bytes);
    }

    [Property(MaxTest = 500)]
    public void Random_trees_never_throw_from_any_decoder_or_client(int seed) =>
        AllDecoders(TlvWriter.Encode(TlvRoundTripTests.RandomTree(seed) with { Tag = TlvTag.Anonymous }));

    [Property(MaxTest = 500)]
    public void Random_bytes_never_throw_from_any_decoder_or_client(byte[] bytes) => AllDecoders(bytes);

    /// <summary>Valid matter.js messages with one byte changed: near-misses reach deep into the IB decoders.</summary>
    [Property(MaxTest = 1000)]
    public void Mutated_valid_messages_never_throw(int which, int position, byte value)
    {
        string[] valid =
        [
            "1536011535012600785634123701240200240328240401182c02094d61747465722e6a731818153501240001370124020024033e2404043405182402071818"
                + "153500370024020024032824049918350124008618181818290324ff0c18",
            "152800360115350037002400002401302402011835012400002c0100181818153501370024000024013e2402061835012400012401091818181824ff0c18",
            "1536001724020024032824040118172402012403062404001818290324ff0c18",
        ];
        var bytes = Convert.FromHexString(valid[(int)((uint)which % (uint)valid.Length)]);
        bytes[(int)((uint)position % (uint)bytes.Length)] = value;
        AllDecoders(bytes);
    }

    [Property(MaxTest = 300)]
    public bool Attribute_paths_round_trip_through_text_and_tlv(ushort endpoint, uint cluster, uint attribute)
    {
        var path = new AttributePath(endpoint, cluster, attribute);
        var text = $"{endpoint}/{cluster}/{attribute}";
        var decoded = ReadRequestMessage.Decode(new ReadRequestMessage([path], true).Encode()).Value!;
        return AttributePath.Parse(text).Value == path && decoded.Attributes.Single() == path && path.ToString() == text;
    }

    [Fact]
    public void Subscribe_messages_match_matter_js()
    {
        // Encoded by matter.js 0.17.9's TlvSubscribeRequest / TlvSubscribeResponse.
        const string request = "15280024010124023c3603172402012403062404001818290724ff0c18";
        const string response = "152600efbeadde24023c24ff0c18";
        Assert.Equal(request, Convert.ToHexStringLower(new SubscribeRequestMessage([new AttributePath(1, 6, 0)], 1, 60).Encode()));
        Assert.Equal(response, Convert.ToHexStringLower(new SubscribeResponseMessage(0xDEADBEEF, 60).Encode()));
        var decoded = SubscribeRequestMessage.Decode(Convert.FromHexString(request)).Value!;
        Assert.Equal((1, 60, true), (decoded.MinIntervalFloorSeconds, decoded.MaxIntervalCeilingSeconds, decoded.FabricFiltered));
        Assert.Equal(0xDEADBEEFu, SubscribeResponseMessage.Decode(Convert.FromHexString(response)).Value!.SubscriptionId);
    }

    [Fact]
    public void Uncatalogued_commands_take_only_an_empty_payload()
    {
        Assert.Equal("1518", Convert.ToHexStringLower(TlvWriter.Encode(CommandPayload.ForUncatalogued(0x0008, 0, null).Value!)));
        var parsed = CommandPayload.ForUncatalogued(0x0008, 0, new JsonObject { ["level"] = 5 });
        Assert.Equal("command 0x00 of cluster 0x0008 is not catalogued, so its payload must be empty", parsed.Error!.Message);
    }
}

internal static class TestExtensions
{
    public static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
