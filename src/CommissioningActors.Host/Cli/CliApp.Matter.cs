using System.CommandLine;

namespace CommissioningActors.Host.Cli;

/// <summary>The node and network-credential verbs (round 2).</summary>
public static partial class CliApp
{
    private static readonly string[] MatterVerbs = ["nodes", "node", "read", "command", "remove", "set-wifi", "set-thread"];

    private static void AddMatterCommands(RootCommand root, CliContext context, Option<string> url, Option<string?> token)
    {
        var nodes = new Command("nodes", "List the nodes on our fabric");
        nodes.SetAction((r, ct) => context.RunAsync(r, url, token, ct, (client, ct) => CliMatterCommands.NodesAsync(client, context, ct)));
        root.Add(nodes);

        var nodeId = new Argument<ulong>("node-id");
        var node = new Command("node", "Show one node as JSON") { nodeId };
        node.SetAction((r, ct) => context.RunAsync(r, url, token, ct, (client, ct) =>
            CliMatterCommands.NodeAsync(client, context, r.GetRequiredValue(nodeId), ct)));
        root.Add(node);

        var readNode = new Argument<ulong>("node-id");
        var path = new Argument<string>("path") { Description = "endpoint/cluster/attribute in decimal, e.g. 0/40/1 (vendor name)" };
        var read = new Command("read", "Read one attribute of a node; prints its value as JSON") { readNode, path };
        read.SetAction((r, ct) => context.RunAsync(r, url, token, ct, (client, ct) =>
            CliMatterCommands.ReadAsync(client, context, r.GetRequiredValue(readNode), r.GetRequiredValue(path), ct)));
        root.Add(read);

        var commandNode = new Argument<ulong>("node-id");
        var endpoint = new Argument<ushort>("endpoint");
        var cluster = new Argument<uint>("cluster") { Description = "cluster id in decimal, e.g. 6 (OnOff)" };
        var name = new Argument<string>("name") { Description = "command name (On, Off, Toggle, Identify) or command id in decimal" };
        var payload = new Option<string?>("--payload") { Description = "the command's fields as a JSON object", HelpName = "json" };
        var command = new Command("command", "Invoke a cluster command on a node") { commandNode, endpoint, cluster, name, payload };
        command.SetAction((r, ct) => context.RunAsync(r, url, token, ct, (client, ct) => CliMatterCommands.CommandAsync(client, context,
            r.GetRequiredValue(commandNode), r.GetRequiredValue(endpoint), r.GetRequiredValue(cluster), r.GetRequiredValue(name), r.GetValue(payload), ct)));
        root.Add(command);

        var removeNode = new Argument<ulong>("node-id");
        var remove = new Command("remove", "Remove our fabric from a node (RemoveFabric), then forget it") { removeNode };
        remove.SetAction((r, ct) => context.RunAsync(r, url, token, ct, (client, ct) =>
            CliMatterCommands.RemoveAsync(client, context, r.GetRequiredValue(removeNode), ct)));
        root.Add(remove);

        var ssid = new Option<string>("--ssid") { Description = "the Wi-Fi network's name", Required = true };
        var password = new Option<string?>("--password")
        {
            Description = "the Wi-Fi password (visible in process lists: prefer --password-file, or stdin)",
        };
        var passwordFile = new Option<string?>("--password-file") { Description = "read the password from this file ('-': stdin)", HelpName = "path" };
        var wifi = new Command("set-wifi", "Store the Wi-Fi credentials BLE commissioning gives devices; without --password(-file) the password is read from stdin")
        {
            ssid, password, passwordFile,
        };
        wifi.SetAction((r, ct) => context.RunAsync(r, url, token, ct, async (client, ct) => await CliMatterCommands.SetWifiAsync(client, context,
            r.GetRequiredValue(ssid), await CliMatterCommands.ReadSecretAsync(context, r.GetValue(password), r.GetValue(passwordFile), ct), ct)));
        root.Add(wifi);

        var dataset = new Option<string?>("--dataset") { Description = "the Thread operational dataset as hex (without it: read from stdin)", HelpName = "hex" };
        var thread = new Command("set-thread", "Store the Thread operational dataset BLE commissioning gives devices") { dataset };
        thread.SetAction((r, ct) => context.RunAsync(r, url, token, ct, async (client, ct) => await CliMatterCommands.SetThreadAsync(client, context,
            await CliMatterCommands.ReadSecretAsync(context, r.GetValue(dataset), null, ct), ct)));
        root.Add(thread);
    }
}
