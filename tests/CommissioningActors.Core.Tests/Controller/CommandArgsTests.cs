using System.Text.Json.Nodes;
using CommissioningActors.Core.Controller;
using CommissioningActors.Protocol.Controller;
using CommissioningActors.Protocol.Matter;

namespace CommissioningActors.Core.Tests.Controller;

public sealed class CommandArgsTests
{
    private static ControllerCommand With(JsonObject args) => new("m1", "commission_device", args);

    [Fact]
    public void Strings_are_required_non_empty_and_bounded()
    {
        Assert.Equal("a1", CommandArgs.RequiredString(With(new() { ["job_id"] = "a1" }), "job_id"));
        Assert.Null(CommandArgs.OptionalString(With([]), "label"));
        Assert.Contains("job_id (string) is required", Assert.Throws<ArgumentException>(() => CommandArgs.RequiredString(With([]), "job_id")).Message);
        Assert.Throws<ArgumentException>(() => CommandArgs.OptionalString(With(new() { ["label"] = "" }), "label"));
        Assert.Throws<ArgumentException>(() => CommandArgs.OptionalString(With(new() { ["label"] = new string('x', 257) }), "label"));
        Assert.Throws<ArgumentException>(() => CommandArgs.OptionalString(With(new() { ["label"] = 7 }), "label"));
    }

    [Fact]
    public void Integers_must_be_whole_numbers_in_range()
    {
        Assert.Equal(5, CommandArgs.OptionalInt(With(new() { ["n"] = 5 }), "n"));
        Assert.Null(CommandArgs.OptionalInt(With([]), "n"));
        Assert.Throws<ArgumentException>(() => CommandArgs.OptionalInt(With(new() { ["n"] = "5" }), "n"));
        Assert.Throws<ArgumentException>(() => CommandArgs.OptionalInt(With(new() { ["n"] = 1.5 }), "n"));
        Assert.Throws<ArgumentException>(() => CommandArgs.OptionalInt(With(new() { ["n"] = 1L << 40 }), "n"));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(1, 1)]
    [InlineData(3600, 3600)]
    public void Timeout_is_one_to_3600_seconds_when_given(int? seconds, int? expected)
    {
        var args = seconds is { } s ? new JsonObject { ["timeout_s"] = s } : [];
        Assert.Equal(expected is { } e ? TimeSpan.FromSeconds(e) : null, CommandArgs.Timeout(With(args)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3601)]
    [InlineData(-5)]
    public void Timeout_out_of_range_is_refused(int seconds)
    {
        Assert.Throws<ArgumentException>(() => CommandArgs.Timeout(With(new() { ["timeout_s"] = seconds })));
    }

    [Fact]
    public void A_device_payload_takes_exactly_one_discriminator_form()
    {
        Assert.Equal(new SetupPayload(20202021, 3840, false), CommandArgs.DevicePayload(With(new() { ["discriminator"] = 3840 }), 20202021));
        Assert.Equal(new SetupPayload(20202021, 15, true), CommandArgs.DevicePayload(With(new() { ["short_discriminator"] = 15 }), 20202021));
        Assert.Contains("is required", Assert.Throws<ArgumentException>(() => CommandArgs.DevicePayload(With([]), 20202021)).Message);
        Assert.Contains("not both", Assert.Throws<ArgumentException>(() =>
            CommandArgs.DevicePayload(With(new() { ["discriminator"] = 1, ["short_discriminator"] = 1 }), 20202021)).Message);
        Assert.Throws<ArgumentException>(() => CommandArgs.DevicePayload(With(new() { ["discriminator"] = 4096 }), 20202021));
        Assert.Throws<ArgumentException>(() => CommandArgs.DevicePayload(With(new() { ["short_discriminator"] = 16 }), 20202021));
    }

    [Fact]
    public void Errors_never_echo_the_passcode()
    {
        var e = Assert.Throws<ArgumentException>(() => CommandArgs.DevicePayload(With(new() { ["discriminator"] = -1 }), 20202021));
        Assert.DoesNotContain("20202021", e.Message);
    }

    [Fact]
    public void Addresses_are_an_optional_array_of_strings()
    {
        Assert.Null(CommandArgs.Addresses(With([])));
        Assert.Equal(["AA", "BB"], CommandArgs.Addresses(With(new() { ["addresses"] = new JsonArray("AA", "BB") })));
        Assert.Throws<ArgumentException>(() => CommandArgs.Addresses(With(new() { ["addresses"] = "AA" })));
        Assert.Throws<ArgumentException>(() => CommandArgs.Addresses(With(new() { ["addresses"] = new JsonArray("AA", 1) })));
    }
}
