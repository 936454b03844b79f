/**
 * realtime-xstate's inspection bridge and chart model: watch a running client's statecharts in the
 * visualizer page (visualizer/README.md), or export a machine for Stately Studio.
 */
export { createInspectionBridge, type InspectionBridge, type InspectionBridgeOptions } from './bridge.js'
export { chartOf, statesOf, stateKey, type ChartModel, type ChartState, type ChartTransition, type ChartInvoke, type ChartStateType, type ChartTransitionKind } from './chart-model.js'
export { machineConfigOf, type Json, type StateConfigJson, type TransitionConfigJson } from './stately-export.js'
export { redact, redactString, type RedactLimits } from './redact.js'
export type { ActorInfo, BridgeMessage, ChartEntry, LogEntry, LogKind, StateValueJson } from './messages.js'
