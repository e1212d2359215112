using System.Collections.Concurrent;
using CommissioningActors.Host.Tests.Support;
using CommissioningActors.Simulator;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace CommissioningActors.Host.Tests.Dashboard;

/// <summary>The dashboard in Debian's chromium, driven by Playwright, against the real host and a simulated proxy.</summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private const string Hocon = """
        commissioning {
          gate.slots = 1
          attempt.candidate-settle = 300ms
          attempt.scan-timeout = 10s
        }
        """;

    // The BTP handshake holds the slot long enough that the page shows it busy before it frees.
    private static SimulatorOptions SlowLight() => new()
    {
        Name = "browser-proxy",
        ConnectionSlots = 1,
        Devices = [DefaultDevices.All[0]],
        Latencies = new SimulatorLatencies
        {
            AdvertisementInterval = TimeSpan.FromMilliseconds(50),
            BtpHandshake = TimeSpan.FromSeconds(1.5),
        },
    };

    [Fact]
    public async Task Commissioning_from_the_page_shows_the_slot_busy_then_free_and_the_verdict()
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon);
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=browser-proxy" }.Uri, SlowLight());

        await WithPageAsync(host.Http.ToString(), async page =>
        {
            var timeout = new LocatorAssertionsToHaveAttributeOptions { Timeout = 15_000 };

            await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "open", timeout);
            var row = page.Locator("#proxies tr");
            await Expect(row).ToHaveAttributeAsync("data-in-use", "0", timeout);
            await Expect(page.Locator("#no-nodes")).ToBeVisibleAsync();

            await page.FillAsync("#code", "34970112332");
            await page.FillAsync("#label", "test light");
            await page.ClickAsync("button[type=submit]");

            await Expect(row).ToHaveAttributeAsync("data-in-use", "1", timeout);
            await Expect(row.Locator(".slot")).ToHaveAttributeAsync("data-busy", "true", timeout);
            await Expect(row).ToHaveAttributeAsync("data-in-use", "0", timeout);
            await Expect(row.Locator(".slot")).ToHaveAttributeAsync("data-busy", "false", timeout);
            var finished = page.Locator("#finished-jobs tr");
            await Expect(finished).ToHaveAttributeAsync("data-status", "completed", timeout);
            await Expect(finished.Locator(".verdict")).ToHaveTextAsync("completed");
            // The code the page was given never comes back from the server.
            await Expect(page.Locator("body")).Not.ToContainTextAsync("34970112332");

            var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
            Directory.CreateDirectory(artifacts);
            var screenshot = Path.Combine(artifacts, "dashboard.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            output.WriteLine($"dashboard screenshot: {screenshot}");
            Console.WriteLine($"dashboard screenshot: {screenshot}");
        });
    }

    [Fact]
    public async Task With_a_token_the_page_passes_its_own_token_parameter_to_the_socket()
    {
        await using var host = await TestHost.StartAsync("--Server:Token=dashboard-secret");
        var timeout = new LocatorAssertionsToHaveAttributeOptions { Timeout = 15_000 };

        await WithPageAsync(new Uri(host.Http, "/?token=dashboard-secret").ToString(), async page =>
            await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "open", timeout));
        await WithPageAsync(new Uri(host.Http, "/?token=wrong").ToString(), async page =>
            await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "closed", timeout));
    }

    [Fact]
    public async Task After_a_backpressure_close_the_page_reconnects_reseeds_and_keeps_working()
    {
        await using var host = await TestHost.StartWithHoconAsync(Hocon);
        await using var proxy = await SimulatedProxy.ConnectAsync(new UriBuilder(host.Ble) { Query = "name=browser-proxy" }.Uri, SlowLight());
        var sockets = new ConcurrentQueue<IWebSocketRoute>();
        var timeout = new LocatorAssertionsToHaveAttributeOptions { Timeout = 15_000 };

        // Playwright sits between page and server, forwarding frames, so the test can close a socket the way the
        // service closes a follower that fell behind.
        await WithPageAsync(host.Http.ToString(), async page =>
        {
            await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "open", timeout);
            await Expect(page.Locator("#proxies tr")).ToHaveAttributeAsync("data-in-use", "0", timeout);
            Assert.True(sockets.TryPeek(out var first));
            first.Send("""{"message_id":"d1","error_code":"backpressure","details":"follower fell behind"}""");
            await first.CloseAsync(new WebSocketRouteCloseOptions { Code = 1008, Reason = "backpressure" });

            await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "closed", timeout);
            await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "open", timeout);
            Assert.Equal(2, sockets.Count);
            var row = page.Locator("#proxies tr");
            await Expect(row).ToHaveAttributeAsync("data-in-use", "0", timeout);

            await page.FillAsync("#code", "34970112332");
            await page.ClickAsync("button[type=submit]");
            await Expect(page.Locator("#finished-jobs tr")).ToHaveAttributeAsync("data-status", "completed", timeout);
        }, page => page.RouteWebSocketAsync("**/ws", ws =>
        {
            sockets.Enqueue(ws);
            ws.ConnectToServer();
        }));
    }

    private static async Task WithPageAsync(string url, Func<IPage, Task> test, Func<IPage, Task>? beforeNavigating = null)
    {
        Assert.True(File.Exists(ChromiumPath),
            $"The dashboard browser tests need Debian's chromium at {ChromiumPath}: apt-get install -y chromium (.ci/run does this).");
        var userData = Directory.CreateTempSubdirectory("dashboard-chromium-");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(userData.FullName, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        try
        {
            var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
            if (beforeNavigating is not null)
            {
                await beforeNavigating(page);
            }

            await page.GotoAsync(url);
            await test(page);
        }
        finally
        {
            await browser.CloseAsync();
            userData.Delete(recursive: true);
        }
    }
}
