using System.Text;
using System.Text.Json.Nodes;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Protocol.Tests.Controller;

/// <summary>The one /ws request builder writes what the server's parser reads.</summary>
public sealed class ControllerCommandEnvelopeTests
{
    [Fact]
    public void A_built_command_has_the_documented_shape_and_parses_back()
    {
        var json = ControllerCodec.Command("m1", "get_job", new JsonObject { ["job_id"] = "a1" });

        Assert.Equal("""{"message_id":"m1","command":"get_job","args":{"job_id":"a1"}}""", json);
        var (command, error) = ControllerCodec.ParseCommand(Encoding.UTF8.GetBytes(json), 64 * 1024);
        Assert.Null(error);
        Assert.Equal(("m1", "get_job", "a1"), (command!.MessageId, command.Command, command.Args["job_id"]!.GetValue<string>()));
    }

    [Fact]
    public void A_command_without_args_carries_an_empty_args_object()
    {
        Assert.Equal("""{"message_id":"7","command":"list_jobs","args":{}}""", ControllerCodec.Command("7", "list_jobs"));
    }
}
