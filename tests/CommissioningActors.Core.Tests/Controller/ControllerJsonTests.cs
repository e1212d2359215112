using System.Text.Json.Nodes;
using CommissioningActors.Core.Controller;
using CommissioningActors.Core.Jobs;
using CommissioningActors.Protocol.Controller;

namespace CommissioningActors.Core.Tests.Controller;

public sealed class ControllerJsonTests
{
    [Theory]
    [InlineData("m1", "plain line")]
    [InlineData(null, "quotes \" and \\ and unicode é ✓ and <tags>")]
    public void The_fast_job_output_frame_is_the_same_json_as_the_generic_event(string? messageId, string line)
    {
        var e = new JobOutputAppended("job-1", 42, line);
        var generic = ControllerJson.Event(e)!.Value;

        var fast = JsonNode.Parse(ControllerJson.JobOutputFrame(e, messageId));
        var expected = JsonNode.Parse(ControllerCodec.Event(generic.Name, generic.Data, messageId));

        Assert.True(JsonNode.DeepEquals(expected, fast), $"{expected!.ToJsonString()} vs {fast!.ToJsonString()}");
        Assert.Equal(line, (string?)fast!["data"]!["line"]);
    }
}
