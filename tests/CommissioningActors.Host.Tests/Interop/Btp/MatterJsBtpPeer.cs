using System.Diagnostics;
using System.Text.Json;
using CommissioningActors.Protocol.Matter.Btp;

namespace CommissioningActors.Host.Tests.Interop.Btp;

/// <summary>
/// matter.js's own BTP session (tests/fixtures/matterjs/btp-peer.mjs) on the far side of a link made of JSON
/// lines, and our <see cref="BtpSession"/> on the near side, driven with the real clock.
/// </summary>
public sealed class MatterJsBtpPeer : IAsyncDisposable
{
    private readonly JsonLineProcess _process;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _cursor;

    private MatterJsBtpPeer(JsonLineProcess process, BtpSession ours)
    {
        _process = process;
        Ours = ours;
    }

    public BtpSession Ours { get; }

    public List<byte[]> ReceivedByUs { get; } = [];
    public List<byte[]> ReceivedByPeer { get; } = [];
    public List<byte[]> SentByUs { get; } = [];
    public List<byte[]> SentByPeer { get; } = [];
    public List<BtpOutput> Events { get; } = [];
    public List<string> PeerTrouble { get; } = [];
    public JsonLineProcess Process => _process;

    public TimeSpan Now => _clock.Elapsed;

    public static async Task<MatterJsBtpPeer> StartAsync(BtpSession ours, params string[] args)
    {
        var process = new JsonLineProcess(MatterJsFixture.Instance.StartScript("btp-peer.mjs", args), "btp-peer.mjs");
        await process.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));
        var afterReady = process.Events.ToList().FindIndex(e => JsonLineProcess.Is(e, "ready")) + 1;
        return new MatterJsBtpPeer(process, ours) { _cursor = afterReady };
    }

    public Task ApplyAsync(IReadOnlyList<BtpOutput> outputs) => ApplyOursAsync(outputs);

    /// <summary>Asks matter.js to send a Matter message over its session.</summary>
    public Task PeerSendsAsync(byte[] message) =>
        _process.SendAsync(JsonSerializer.Serialize(new { op = "send", hex = Convert.ToHexStringLower(message) }));

    /// <summary>Moves packets both ways and runs our timers until <paramref name="done"/> holds.</summary>
    public async Task RunUntilAsync(Func<bool> done, TimeSpan timeout, string what)
    {
        var deadline = Now + timeout;
        while (!done())
        {
            if (Now > deadline)
            {
                throw _process.Failure($"no {what} within {timeout.TotalSeconds:0.#} s (ours: {string.Join(", ", Events.TakeLast(5))})");
            }

            if (Ours.NextDeadline <= Now)
            {
                await ApplyOursAsync(Ours.OnTimer(Now));
            }

            var events = _process.Events;
            if (events.Count == _cursor)
            {
                await Task.Delay(5); // a driver loop, not an assertion: the next line or timer is what we wait for
                continue;
            }

            for (; _cursor < events.Count; _cursor++)
            {
                await OnPeerEventAsync(events[_cursor]);
            }
        }
    }

    private async Task OnPeerEventAsync(JsonElement e)
    {
        var name = e.GetProperty("event").GetString();
        switch (name)
        {
            case "packet":
                var packet = Convert.FromHexString(e.GetProperty("hex").GetString()!);
                SentByPeer.Add(packet);
                await ApplyOursAsync(Ours.Receive(packet, Now));
                break;
            case "message":
                ReceivedByPeer.Add(Convert.FromHexString(e.GetProperty("hex").GetString()!));
                break;
            case "error" or "closed":
                PeerTrouble.Add(e.ToString());
                break;
        }
    }

    private async Task ApplyOursAsync(IReadOnlyList<BtpOutput> outputs)
    {
        foreach (var output in outputs)
        {
            Events.Add(output);
            switch (output)
            {
                case BtpTransmit transmit:
                    SentByUs.Add(transmit.Packet);
                    await _process.SendAsync(JsonSerializer.Serialize(new { op = "packet", hex = Convert.ToHexStringLower(transmit.Packet) }));
                    break;
                case BtpMessageReceived received:
                    ReceivedByUs.Add(received.Message);
                    break;
            }
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
