using CommissioningActors.Protocol.Matter;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommissioningActors.Protocol.Tests.Matter;

public class MatterAdvertisementTests
{
    // Discriminator 3840 (0xF00), version 0, vendor 0xFFF1, product 0x8000, additional data.
    private static readonly byte[] Sample = [0x00, 0x00, 0x0F, 0xF1, 0xFF, 0x00, 0x80, 0x01];

    [Fact]
    public void Parses_the_little_endian_fields()
    {
        var parsed = MatterAdvertisement.Parse(Sample);

        Assert.True(parsed.IsOk, parsed.Error?.ToString());
        Assert.Equal(new MatterAdvertisement(3840, 0, 0xFFF1, 0x8000, true), parsed.Value);
        Assert.Equal(15, parsed.Value!.ShortDiscriminator);
    }

    [Fact]
    public void Splits_the_version_nibble_from_the_discriminator()
    {
        byte[] data = [0x00, 0x34, 0x52, 0x01, 0x00, 0x02, 0x00, 0x00];

        var adv = MatterAdvertisement.Parse(data).Value!;

        Assert.Equal(0x234, adv.Discriminator);
        Assert.Equal(5, adv.AdvertisementVersion);
        Assert.Equal(2, adv.ShortDiscriminator);
        Assert.False(adv.HasAdditionalData);
    }

    [Fact]
    public void Only_flag_bit_zero_means_additional_data()
    {
        var data = (byte[])Sample.Clone();
        data[7] = 0x02;

        Assert.False(MatterAdvertisement.Parse(data).Value!.HasAdditionalData);
    }

    [Fact]
    public void Encodes_to_the_wire_layout()
    {
        Assert.Equal(Sample, new MatterAdvertisement(3840, 0, 0xFFF1, 0x8000, true).Encode());
    }

    private static readonly Gen<MatterAdvertisement> Advertisements =
        from disc in Gen.Choose(0, 0xFFF)
        from version in Gen.Choose(0, 0xF)
        from vendor in Gen.Choose(0, ushort.MaxValue)
        from product in Gen.Choose(0, ushort.MaxValue)
        from additional in ArbMap.Default.GeneratorFor<bool>()
        select new MatterAdvertisement((ushort)disc, (byte)version, (ushort)vendor, (ushort)product, additional);

    [Property]
    public Property Encode_then_parse_round_trips() =>
        Prop.ForAll(Advertisements.ToArbitrary(), adv => MatterAdvertisement.Parse(adv.Encode()).Value == adv);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void Rejects_short_service_data(int length)
    {
        var parsed = MatterAdvertisement.Parse(Sample.AsSpan(0, length));

        Assert.False(parsed.IsOk);
        Assert.Equal(ParseErrorKind.FrameTooShort, parsed.Error!.Kind);
    }

    [Fact]
    public void Tolerates_trailing_bytes()
    {
        byte[] data = [.. Sample, 0xAA, 0xBB];

        Assert.Equal(3840, MatterAdvertisement.Parse(data).Value!.Discriminator);
    }

    [Fact]
    public void Rejects_a_non_commissionable_opcode()
    {
        var data = (byte[])Sample.Clone();
        data[0] = 0x01;

        var parsed = MatterAdvertisement.Parse(data);

        Assert.False(parsed.IsOk);
        Assert.Equal(ParseErrorKind.UnknownOpcode, parsed.Error!.Kind);
    }

    [Fact]
    public void Encode_refuses_values_that_do_not_fit_their_bit_fields()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MatterAdvertisement(0x1000, 0, 1, 1, false).Encode());
        Assert.Throws<ArgumentOutOfRangeException>(() => new MatterAdvertisement(1, 16, 1, 1, false).Encode());
    }

    [Theory]
    [InlineData(3840, false, true)]
    [InlineData(3841, false, false)]
    [InlineData(15, true, true)]
    [InlineData(14, true, false)]
    public void Matches_full_or_short_discriminator(int discriminator, bool isShort, bool expected)
    {
        var adv = new MatterAdvertisement(3840, 0, 0xFFF1, 0x8000, false);

        Assert.Equal(expected, adv.Matches((ushort)discriminator, isShort));
    }
}
