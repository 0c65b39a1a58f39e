/** The float64 reference forward pass the ONNX graphs are checked against. */
export { referenceForward, layerNorm, gelu, attention, mlp, linear } from './forward';
