using CommissioningActors.Host.Cli;
using CommissioningActors.Host.Hosting;

// A CLI verb first means a client run against /ws; anything else (nothing, `serve`, --urls ...) runs the service.
if (CliApp.IsCliInvocation(args))
{
    return await CliApp.RunAsync(args, Console.Out, Console.Error, new CliSettings { HandleCtrlC = true });
}

return await HostRunner.RunAsync(CommissioningHost.Build(args is ["serve", .. var rest] ? rest : args));
