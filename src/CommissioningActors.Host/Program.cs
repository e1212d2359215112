using CommissioningActors.Host.Hosting;

await CommissioningHost.Build(args).RunAsync();
