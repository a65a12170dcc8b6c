export { compileMapping, type CompiledMapping, type MapResult } from './compile-mapping.js';
export { mapEvent } from './map-event.js';
export { compileField } from './field.js';
export { isFieldSpec, FIELD_SPEC_KEYS } from './classify.js';
export { compilePath, parsePath, type Accessor, type PathStep } from './path.js';
export { compileDateFormat, isoDate, daysInMonth, isLeapYear, type DateParser } from './date-format.js';
export { compileTransforms, TRANSFORMS, TRANSFORM_NAMES, isTransformName, type StringTransform } from './transforms.js';
export { CONVERTERS, VALUE_TYPES, isValueType, type Converter } from './convert.js';
export { Invalid, showValue } from './invalid.js';
