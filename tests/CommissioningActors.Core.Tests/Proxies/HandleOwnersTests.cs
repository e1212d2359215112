using Akka.TestKit.Xunit2;
using CommissioningActors.Core.Proxies;

namespace CommissioningActors.Core.Tests.Proxies;

public sealed class HandleOwnersTests : TestKit
{
    [Fact]
    public void A_claimed_handle_has_one_owner_and_is_released_once()
    {
        var owners = new HandleOwners();
        var a = CreateTestProbe().Ref;
        Assert.Equal(ConnectOutcome.Claimed, owners.Claim(7, a, requesterGone: false));
        Assert.True(owners.TryGetOwner(7, out var owner));
        Assert.Equal(a, owner);
        Assert.True(owners.Release(7));
        Assert.False(owners.Release(7));
        Assert.False(owners.TryGetOwner(7, out _));
    }

    [Fact]
    public void A_live_handle_claimed_again_is_a_duplicate_and_the_first_owner_keeps_it()
    {
        var owners = new HandleOwners();
        var first = CreateTestProbe().Ref;
        owners.Claim(7, first, requesterGone: false);
        Assert.Equal(ConnectOutcome.Duplicate, owners.Claim(7, CreateTestProbe().Ref, requesterGone: false));
        // Even for a requester that is gone: tearing the duplicate down would disconnect the first's handle.
        Assert.Equal(ConnectOutcome.Duplicate, owners.Claim(7, CreateTestProbe().Ref, requesterGone: true));
        Assert.True(owners.TryGetOwner(7, out var owner));
        Assert.Equal(first, owner);
        Assert.False(owners.ShouldTearDownLate(7));
    }

    [Fact]
    public void A_connect_whose_requester_is_gone_is_torn_down_not_owned()
    {
        var owners = new HandleOwners();
        Assert.Equal(ConnectOutcome.TearDown, owners.Claim(3, CreateTestProbe().Ref, requesterGone: true));
        Assert.Equal(0, owners.Count);
        Assert.True(owners.ShouldTearDownLate(3));
    }

    [Fact]
    public void A_dead_owner_releases_all_its_handles_and_only_its_own()
    {
        var owners = new HandleOwners();
        var dead = CreateTestProbe().Ref;
        var alive = CreateTestProbe().Ref;
        owners.Claim(1, dead, false);
        owners.Claim(2, alive, false);
        owners.Claim(3, dead, false);
        Assert.Equal([1, 3], owners.ReleaseAllOf(dead).Order());
        Assert.Empty(owners.ReleaseAllOf(dead));
        Assert.Equal(2, Assert.Single(owners.TakeAll()).Key);
        Assert.Equal(0, owners.Count);
    }
}
