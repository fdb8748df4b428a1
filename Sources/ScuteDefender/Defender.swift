import ScuteCore

/// The embedded defender's version, reported in hello messages and audits.
package let defenderVersion = "0.1.0"
