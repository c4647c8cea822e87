global using Xunit;
global using TestContext = Xunit.TestContext;
