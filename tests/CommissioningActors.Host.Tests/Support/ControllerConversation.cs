using System.Text.Json.Nodes;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Host.Tests.Support;

/// <summary>The /ws conversation the end-to-end tests share: connect past server_info, one command and its reply.</summary>
public static class ControllerConversation
{
    /// <summary>Connects to /ws and reads the server_info every connection starts with.</summary>
    public static async Task<RawClient> ConnectControllerAsync(this TestHost host, string? bearer = null)
    {
        var client = await RawClient.ConnectAsync(host.Ws, bearer);
        Assert.Equal("server_info", (string?)(await client.ReceiveJsonAsync())["event"]);
        return client;
    }

    /// <summary>Sends one command and returns its reply, passing over stream frames that arrive meanwhile.</summary>
    public static async Task<JsonObject> CommandAsync(this RawClient client, string messageId, string command, JsonObject? args = null)
    {
        await client.SendTextAsync(ControllerCodec.Command(messageId, command, args));
        while (true)
        {
            var frame = await client.ReceiveJsonAsync();
            if ((string?)frame["message_id"] == messageId && frame["event"] is null)
            {
                return frame;
            }
        }
    }
}
