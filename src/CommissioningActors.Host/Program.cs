using CommissioningActors.Host.Cli;
using CommissioningActors.Host.Hosting;

// A CLI verb first means a client run against /ws; anything else (nothing, `serve`, --urls ...) runs the service.
if (CliApp.IsCliInvocation(args))
{
    return await CliApp.RunAsync(args, Console.Out, Console.Error, new CliSettings { HandleCtrlC = true });
}

WebApplication app;
try
{
    app = CommissioningHost.Build(args is ["serve", .. var rest] ? rest : args);
}
catch (CommissioningActors.Core.Storage.StoreException e)
{
    // Nothing is listening yet and the logger is not built: one line, no stack trace.
    await Console.Error.WriteLineAsync($"commissioning: cannot open the store: {e.Message}");
    return HostRunner.Refused;
}

return await HostRunner.RunAsync(app);
