// Embedded Neo X (EVM) dev chain: one funded throw-away key and the chain id come from the
// environment (set by nsl.chains.devnet.hardhat.HardhatNode); state is in memory only.
const chainId = Number(process.env.DEVCHAIN_CHAIN_ID);
const key = process.env.DEVCHAIN_KEY;
if (!Number.isSafeInteger(chainId) || chainId < 1) {
  throw new Error("DEVCHAIN_CHAIN_ID must be a positive integer");
}
if (!/^0x[0-9a-fA-F]{64}$/.test(key || "")) {
  throw new Error("DEVCHAIN_KEY must be a 0x-prefixed 32-byte hex private key");
}

module.exports = {
  networks: {
    hardhat: {
      chainId,
      hardfork: "cancun",
      mining: { auto: true, interval: 0 },
      loggingEnabled: false, // no line per RPC request: the log stays small under `nsl up`
      accounts: [{ privateKey: key, balance: "1000000000000000000000000000" }],
    },
  },
};
