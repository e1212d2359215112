using CommissioningActors.Protocol.BleProxy;

namespace CommissioningActors.Protocol.Tests;

/// <summary>
/// Every phrase the real BLE stacks use around slot exhaustion, classified (docs/slot-exhaustion-phrases.md
/// gives each one's source). Each is checked as the stack words it and inside the wrappers clients forward.
/// </summary>
public sealed class SlotExhaustionPhraseTests
{
    private const string Address = "AA:BB:CC:DD:EE:FF";

    /// <summary>Phrase id -> the message as the stack produces it (placeholders filled with plausible values).</summary>
    public static TheoryData<string, string> Exhaustion => new()
    {
        // bleak-retry-connector, src/bleak_retry_connector/__init__.py
        { "brc-advice", "The proxy/adapter is out of connection slots or the device is no longer reachable; Add additional proxies (https://esphome.github.io/bluetooth-proxies/) near this device" },
        { "brc-advice-2022", "The proxy/adapter is out of connection slots; Add additional proxies (https://esphome.github.io/bluetooth-proxies/) near this device" },
        { "brc-marker-available-connection", "No AVAILABLE CONNECTION slot left" },
        { "brc-marker-connection-slot", "all connection slots of the adapter are in use" },
        { "brc-class-bare", "BleakOutOfConnectionSlotsError" },
        { "brc-class-qualified", "bleak_retry_connector.BleakOutOfConnectionSlotsError: LD2410B - 8A:5A:C4:15:A4:CB: Failed to connect after 9 attempt(s): No backend with an available connection slot that can reach address 8A:5A:C4:15:A4:CB was found: The proxy/adapter is out of connection slots or the device is no longer reachable; Add additional proxies (https://esphome.github.io/bluetooth-proxies/) near this device" },
        { "brc-class-repr", "BleakOutOfConnectionSlotsError('x')" },
        { "brc-attempts", $"Light - {Address}: Failed to connect after 3 attempt(s): Error ESP_GATT_CONN_CONN_CANCEL while connecting: Connection cancelled" },
        // habluetooth, src/habluetooth/wrappers.py
        { "habluetooth-no-backend", $"No backend with an available connection slot that can reach address {Address} was found" },
        { "habluetooth-no-backend-diagnostics", $"No backend with an available connection slot that can reach address {Address} was found: kitchen-proxy: connectable, rssi=-70, slots=0/3" },
        // bleak-esphome, src/bleak_esphome/backend/client.py and device.py
        { "bleak-esphome-wait-log", "light (AA:BB:CC:DD:EE:FF) - kitchen-proxy: Out of connection slots, waiting for a free one" },
        { "bleak-esphome-wait-timeout", "kitchen-proxy [11:22:33:44:55:66]: No free BLE connection slot became available (limit=3, in use=3)" },
        { "bleak-esphome-esp-cancel", "Error ESP_GATT_CONN_CONN_CANCEL while connecting: Connection cancelled" },
        // aioesphomeapi, aioesphomeapi/ble_defs.py (the enum name bleak-esphome puts into its message)
        { "aioesphomeapi-enum", "ESP_GATT_CONN_CONN_CANCEL" },
        // ESPHome, esphome/components/bluetooth_proxy/bluetooth_proxy.cpp (its log, forwarded by a log-reading client)
        { "esphome-log", "[W][bluetooth_proxy:244]: No free connections available" },
        // bleak, bleak/exc.py CONTROLLER_ERROR_CODES 0x09 and 0x0D
        { "hci-0x09", "Connection Limit Exceeded" },
        { "hci-0x0d", "Connection Rejected due to Limited Resources" },
        // matterjs-server python_ble_proxy client.py (8fa211a4, since reverted)
        { "matterjs-py-classified", $"Out of connection slots connecting to {Address}: x" },
    };

    /// <summary>Phrases that sit near slot exhaustion in the same sources but are not it.</summary>
    public static TheoryData<string, string> NotExhaustion => new()
    {
        // bleak-esphome device.py: the proxy went away during the wait for a slot.
        { "bleak-esphome-proxy-gone", "kitchen-proxy [11:22:33:44:55:66]: Proxy became unavailable while waiting for a free BLE connection slot" },
        // bleak-esphome client.py: ESPHome answers a connect it has no slot for with connected=false, error 0.
        { "bleak-esphome-disconnected", "Disconnected" },
        // bleak-esphome client.py: the settle wait after a failure; bleak-esphome: before e3418ff a bare TimeoutError.
        { "bleak-esphome-settle", "light: Slot did not settle after failed connect: timeout" },
        { "bleak-esphome-bare-timeout", "TimeoutError" },
        // habluetooth client_mgmt.py: bookkeeping logs.
        { "habluetooth-register", "AA:BB:CC:DD:EE:FF: connection slot register callback failed" },
        { "habluetooth-unregister", "AA:BB:CC:DD:EE:FF: connection slot unregister callback failed" },
        // aioesphomeapi: the description alone (no enum name), and its connect timeout.
        { "aioesphomeapi-description", "Connection cancelled" },
        { "aioesphomeapi-timeout", $"Timeout waiting for connect response while connecting to {Address} after 20.0s, disconnect timed out: False,  after 5.0s" },
        // bleak exc.py: controller memory, the peer's resources, a generic limit.
        { "hci-0x07", "Memory Capacity Exceeded" },
        { "hci-0x14", "Remote Device Terminated Connection due to Low Resources" },
        { "hci-0x43", "Limit Reached" },
        // bleak-retry-connector: transient aborts and a missing device (its own backoff guesses slots; we do not).
        { "brc-abort", "[org.bluez.Error.Failed] le-connection-abort-by-local" },
        { "brc-not-found", $"BleakNotFoundError: Light - {Address}: Failed to connect after 3 attempt(s): Device with address {Address} was not found" },
        // matterjs-server python_ble_proxy client.py (main): its timeout wording.
        { "matterjs-py-timeout", $"Timeout connecting to {Address}" },
    };

    /// <summary>How clients forward an exception's text in connection_failed.</summary>
    private static IEnumerable<string> Wrapped(string phrase) =>
    [
        phrase,
        // matterjs-server python_ble_proxy (main): f"Failed to connect to {address}: {err}"
        $"Failed to connect to {Address}: {phrase}",
        // clients that forward f"{type(err).__name__}: {err}"
        $"BleakError: {phrase}",
        $"TimeoutError: {phrase}",
        // bleak-retry-connector wraps the last error after its retries
        $"Light - {Address}: Failed to connect after 9 attempt(s): {phrase}",
    ];

    [Theory]
    [MemberData(nameof(Exhaustion))]
    public void A_slot_exhaustion_phrase_classifies_connection_failed_however_it_is_wrapped(string id, string phrase)
    {
        foreach (var message in Wrapped(phrase))
        {
            Assert.True(SlotExhaustion.IsSlotExhaustion(BleErrorCodes.ConnectionFailed, message), $"{id}: {message}");
            Assert.True(SlotExhaustion.IsSlotExhaustion(BleErrorCodes.ConnectionFailed, message.ToUpperInvariant()), $"{id} (upper case)");
        }
    }

    [Theory]
    [MemberData(nameof(NotExhaustion))]
    public void A_neighbouring_phrase_is_not_slot_exhaustion(string id, string phrase)
    {
        foreach (var message in Wrapped(phrase))
        {
            Assert.False(SlotExhaustion.IsSlotExhaustion(BleErrorCodes.ConnectionFailed, message), $"{id}: {message}");
            Assert.False(SlotExhaustion.MentionsSlotExhaustion(message), $"{id} in free text: {message}");
        }
    }

    [Theory]
    [InlineData("bleak-esphome-wait-timeout", "No free BLE connection slot became available (limit=3, in use=3)")]
    [InlineData("brc-class-qualified", "bleak_retry_connector.BleakOutOfConnectionSlotsError: x")]
    [InlineData("esphome-log", "No free connections available")]
    [InlineData("hci-0x0d", "Connection Rejected due to Limited Resources")]
    public void A_specific_phrase_is_also_found_in_free_text(string id, string line) =>
        Assert.True(SlotExhaustion.MentionsSlotExhaustion($"connect via kitchen-proxy failed: {line}"), id);

    [Theory]
    [InlineData("Trying C0:FF:EE:00:00:01 via proxy-1: waits for a connection slot (2 ahead in the queue)")]
    [InlineData("Connection slot acquired on proxy-1; connecting to C0:FF:EE:00:00:01")]
    [InlineData("waited longer than 45 s for a free connection slot on proxy proxy-1")]
    public void Our_own_progress_lines_about_slots_are_not_exhaustion(string line) =>
        Assert.False(SlotExhaustion.MentionsSlotExhaustion(line));

    [Fact]
    public void The_broad_markers_are_trusted_only_in_connection_failed()
    {
        Assert.True(SlotExhaustion.IsSlotExhaustion(BleErrorCodes.ConnectionFailed, "no connection slot left"));
        Assert.False(SlotExhaustion.IsSlotExhaustion(BleErrorCodes.Timeout, "no connection slot left"));
        Assert.False(SlotExhaustion.MentionsSlotExhaustion("no connection slot left"));
    }
}
