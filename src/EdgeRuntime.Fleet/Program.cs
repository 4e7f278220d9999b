using EdgeRuntime.Fleet.Cli;

return await EdgectlCommand.Create(clearScreenOnRefresh: !Console.IsOutputRedirected).Parse(args).InvokeAsync();
